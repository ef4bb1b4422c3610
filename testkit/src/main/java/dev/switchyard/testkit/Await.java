package dev.switchyard.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for a condition a test cannot be told about, up to a deadline, instead of sleeping and hoping. */
public final class Await
{
    /** Short enough not to slow a test down, long enough not to take a core from the system under test. */
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private Await()
    {
    }

    /**
     * Returns as soon as {@code condition} holds; fails the test with {@code message} and the time waited when it
     * still does not hold after {@code timeout}. The message is built only on failure, so it may describe the state
     * the test gave up in.
     */
    public static void until(final BooleanSupplier condition, final Duration timeout, final Supplier<String> message)
    {
        final long start = System.nanoTime();
        final long deadline = start + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            final long now = System.nanoTime();
            if (now - deadline >= 0)
            {
                fail(message.get() + " (waited " + TimeUnit.NANOSECONDS.toMillis(now - start) + " ms)");
            }
            LockSupport.parkNanos(Math.min(POLL_NS, deadline - now));
            if (Thread.currentThread().isInterrupted())
            {
                fail(message.get() + " (interrupted after " +
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms)");
            }
        }
    }
}
