package dev.switchyard.experts.endpoint;

import java.util.concurrent.atomic.AtomicLongArray;

import dev.switchyard.wire.sbe.BlockStatus;

/**
 * Frames counted by status, written by one data-plane thread and read by metrics. OK counts the
 * frames served; every other status counts a frame answered (or, when unanswerable, dropped) with
 * that error.
 */
public final class StatusCounters
{
    private final AtomicLongArray counts = new AtomicLongArray(16);

    public void increment(final BlockStatus status)
    {
        counts.incrementAndGet(status.value());
    }

    public long get(final BlockStatus status)
    {
        return counts.get(status.value());
    }

    /** Every status but OK. */
    public long errors()
    {
        long sum = 0;
        for (final BlockStatus s : BlockStatus.values())
        {
            if (s != BlockStatus.OK && s != BlockStatus.NULL_VAL)
            {
                sum += get(s);
            }
        }
        return sum;
    }
}
