package dev.switchyard.dataplane;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether a media driver is alive, judged by progress: its heartbeat (the time it last serviced its
 * command ring) must change within {@code timeoutMs} of this process's running time. Aeron's own
 * check compares the heartbeat with the wall clock, so a process that resumes from a pause longer
 * than the timeout reads its own healthy driver as dead before the driver's thread has had a turn
 * to beat again; measured on a {@link ProgressClock}, the pause counts as one check interval.
 */
public final class DriverLiveness
{
    private final LongSupplier heartbeat;
    private final long timeoutNs;
    private final ProgressClock clock;
    private long lastBeat;
    private long lastChangeNs;

    /**
     * @param heartbeat  the driver's last heartbeat, any monotonic stamp (epoch ms from the CnC file)
     * @param timeoutMs  running time without a new heartbeat after which the driver is dead
     * @param intervalMs how often {@link #alive} is called, about
     */
    public DriverLiveness(final LongSupplier heartbeat, final long timeoutMs, final long intervalMs, final long nowNs)
    {
        this.heartbeat = heartbeat;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        this.clock = ProgressClock.readEvery(intervalMs, nowNs);
        this.lastBeat = heartbeat.getAsLong();
    }

    /** Whether the driver has beaten within the timeout, in running time, as of {@code nowNs}. */
    public synchronized boolean alive(final long nowNs)
    {
        final long running = clock.advance(nowNs);
        final long beat = heartbeat.getAsLong();
        if (beat != lastBeat)
        {
            lastBeat = beat;
            lastChangeNs = running;
        }
        return running - lastChangeNs <= timeoutNs;
    }
}
