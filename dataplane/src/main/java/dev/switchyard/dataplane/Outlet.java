package dev.switchyard.dataplane;

import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * A publication with the doorbell of its poller, rung after every message offered, and that of the
 * media driver, rung when the publication is back-pressured.
 */
public record Outlet(Publication publication, Doorbell bell, Doorbell limitKeeper) implements AutoCloseable
{
    /** @see Offers#offer */
    public long offer(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final IdleStrategy idle,
        final long timeoutNs,
        final Offers.WhileWaiting whileWaiting)
    {
        final long result =
            Offers.offer(publication, buffer, offset, length, idle, timeoutNs, whileWaiting, limitKeeper);
        if (result > 0)
        {
            bell.ring();
        }
        return result;
    }

    public boolean isClosed()
    {
        return publication.isClosed();
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(publication);
    }
}
