package dev.switchyard.testkit;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/** Joins a thread a test started and checks that it ended: a join that times out says nothing by itself. */
public final class Threads
{
    private Threads()
    {
    }

    /**
     * Waits up to {@code timeout} for {@code thread} to end; fails the test, with where the thread is,
     * if it has not.
     */
    public static void joinOrFail(final Thread thread, final Duration timeout)
    {
        try
        {
            thread.join(timeout);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted while joining " + thread.getName(), ex);
        }
        if (thread.isAlive())
        {
            final String stack = Arrays.stream(thread.getStackTrace())
                .map(frame -> "\n\tat " + frame)
                .collect(Collectors.joining());
            fail(thread.getName() + " still running after " + timeout.toMillis() + " ms" + stack);
        }
    }
}
