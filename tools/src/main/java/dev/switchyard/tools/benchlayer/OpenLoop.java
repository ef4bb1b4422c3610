package dev.switchyard.tools.benchlayer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * Load for a {@link BenchTransport}: the saturation rate (closed loop, a fixed number of passes in
 * flight) and an open-loop run at a fixed rate, whose latencies are measured from each pass's
 * scheduled send time, so that a system falling behind shows its queueing rather than hiding it.
 */
public final class OpenLoop
{
    /** Latencies in microseconds, up to an hour, three significant digits. */
    public record Result(Histogram latencyMicros, long scheduled, long completed, long failed, double elapsedS)
    {
        public double achievedPerSecond()
        {
            return completed / elapsedS;
        }
    }

    private OpenLoop()
    {
    }

    /**
     * Passes per second with {@code inFlight} passes always outstanding, over {@code passes} passes.
     *
     * @throws IllegalStateException when a pass fails
     */
    public static double saturation(
        final BenchTransport transport, final float[] x, final int rows, final int inFlight, final int passes)
    {
        final CountDownLatch done = new CountDownLatch(passes);
        final AtomicLong started = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final long begin = System.nanoTime();
        for (int i = 0; i < Math.min(inFlight, passes); i++)
        {
            started.incrementAndGet();
            chain(transport, x, rows, passes, started, failures, done);
        }
        await(done);
        final double elapsedS = (System.nanoTime() - begin) / 1e9;
        if (failures.get() > 0)
        {
            throw new IllegalStateException(failures.get() + " passes failed while measuring the saturation rate");
        }
        return passes / elapsedS;
    }

    private static void chain(
        final BenchTransport transport, final float[] x, final int rows, final int passes, final AtomicLong started,
        final AtomicLong failures, final CountDownLatch done)
    {
        transport.submit(x, rows).whenComplete((ignored, ex) ->
        {
            if (ex != null)
            {
                failures.incrementAndGet();
            }
            done.countDown();
            if (started.incrementAndGet() <= passes)
            {
                chain(transport, x, rows, passes, started, failures, done);
            }
        });
    }

    /**
     * Sends a pass every {@code 1 / perSecond} seconds for {@code durationS} seconds, whether or not
     * earlier passes returned, then waits for all of them.
     */
    public static Result run(
        final BenchTransport transport, final float[] x, final int rows, final double perSecond, final double durationS)
    {
        final long intervalNs = (long)(1e9 / perSecond);
        final int count = (int)Math.max(1, Math.round(durationS * perSecond));
        final Histogram histogram = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
        final CountDownLatch done = new CountDownLatch(count);
        final AtomicLong failed = new AtomicLong();
        final AtomicLong lastEnd = new AtomicLong();
        final long begin = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        for (int i = 0; i < count; i++)
        {
            final long scheduled = begin + i * intervalNs;
            long now;
            while ((now = System.nanoTime()) < scheduled)
            {
                LockSupport.parkNanos(scheduled - now);
            }
            final CompletableFuture<Void> pass = transport.submit(x, rows);
            pass.whenComplete((ignored, ex) ->
            {
                final long end = System.nanoTime();
                if (ex != null)
                {
                    failed.incrementAndGet();
                }
                else
                {
                    synchronized (histogram)
                    {
                        histogram.recordValue(Math.max(0, (end - scheduled) / 1000));
                    }
                }
                lastEnd.accumulateAndGet(end, Math::max);
                done.countDown();
            });
        }
        await(done);
        final double elapsedS = (lastEnd.get() - begin) / 1e9;
        return new Result(histogram, count, count - failed.get(), failed.get(), elapsedS);
    }

    private static void await(final CountDownLatch done)
    {
        try
        {
            done.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while passes were in flight");
        }
    }
}
