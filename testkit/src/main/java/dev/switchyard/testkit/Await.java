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
    /**
     * The first park is short, so that a condition about to hold (a frame being counted) costs no more than a yield
     * would; the parks then double up to the longest, so that a long wait takes no core from the system under test.
     */
    private static final long FIRST_PARK_NS = TimeUnit.MICROSECONDS.toNanos(10);
    private static final long LONGEST_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

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
        until(condition, timeout, FIRST_PARK_NS, LONGEST_PARK_NS, message);
    }

    /**
     * As {@link #until(BooleanSupplier, Duration, Supplier)}, asking at most once per {@code every}: for a condition
     * that costs something to ask (an HTTP request, a command run), so that asking does not load what it watches.
     */
    public static void until(final BooleanSupplier condition, final Duration timeout, final Duration every,
        final Supplier<String> message)
    {
        until(condition, timeout, every.toNanos(), every.toNanos(), message);
    }

    private static void until(final BooleanSupplier condition, final Duration timeout, final long firstParkNs,
        final long longestParkNs, final Supplier<String> message)
    {
        final long start = System.nanoTime();
        final long deadline = start + timeout.toNanos();
        long parkNs = firstParkNs;
        while (!condition.getAsBoolean())
        {
            final long now = System.nanoTime();
            if (now - deadline >= 0)
            {
                fail(message.get() + " (waited " + TimeUnit.NANOSECONDS.toMillis(now - start) + " ms)");
            }
            LockSupport.parkNanos(Math.min(parkNs, deadline - now));
            parkNs = Math.min(2 * parkNs, longestParkNs);
            if (Thread.currentThread().isInterrupted())
            {
                fail(message.get() + " (interrupted after " +
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms)");
            }
        }
    }
}
