package dev.switchyard.node.system;

import java.util.ArrayList;
import java.util.List;

import org.agrona.CloseHelper;

/**
 * What a start has brought up so far, in order: when a later step fails, {@link #close()} stops
 * it all in reverse, so that a start either gives a whole unit or leaves nothing running.
 */
final class StartedParts implements AutoCloseable
{
    private final List<AutoCloseable> parts = new ArrayList<>();

    /** Records {@code part} as started, to be closed if a later step fails; returns it. */
    <T extends AutoCloseable> T add(final T part)
    {
        parts.add(part);
        return part;
    }

    /** Closes every part started so far, the last first, quietly: the failure that led here is the one to tell. */
    @Override
    public void close()
    {
        for (int i = parts.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(parts.get(i));
        }
    }
}
