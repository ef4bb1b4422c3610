package dev.switchyard.dataplane;

import java.util.concurrent.TimeUnit;

/**
 * Time that passes only while this process runs: each reading advances it by the time since the
 * last one, but by no more than {@code maxStepNs}. A pause of the whole process (a stop-the-world
 * collection, a frozen VM, SIGSTOP) then counts as one step, so a part judged stalled by this clock
 * must have made no progress while the process was actually running, not merely while it stood
 * still. The caller reads it regularly, at intervals well below {@code maxStepNs}.
 */
public final class ProgressClock
{
    private final long maxStepNs;
    private long lastNs;
    private long runningNs;

    /** @param nowNs the first reading of the wall clock ({@link System#nanoTime()}) */
    public ProgressClock(final long maxStepNs, final long nowNs)
    {
        if (maxStepNs <= 0)
        {
            throw new IllegalArgumentException("maxStepNs must be positive");
        }
        this.maxStepNs = maxStepNs;
        this.lastNs = nowNs;
    }

    /** A clock for a caller that reads it every {@code intervalMs} or so: a step counts at most twice that. */
    public static ProgressClock readEvery(final long intervalMs, final long nowNs)
    {
        return new ProgressClock(TimeUnit.MILLISECONDS.toNanos(2 * intervalMs), nowNs);
    }

    /** Advances to wall-clock time {@code nowNs} and returns the running time so far. */
    public long advance(final long nowNs)
    {
        final long step = nowNs - lastNs;
        lastNs = nowNs;
        runningNs += Math.max(0, Math.min(step, maxStepNs));
        return runningNs;
    }
}
