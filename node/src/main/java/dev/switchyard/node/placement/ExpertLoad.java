package dev.switchyard.node.placement;

import java.util.concurrent.TimeUnit;

import dev.switchyard.gateway.metrics.GatewayMetrics;

/**
 * The rows a gateway sent each expert over a sliding window of up to a minute: samples of the
 * gateway's cumulative per-expert counters, taken every {@link #SAMPLE_EVERY_S} s into a ring. The
 * data plane only adds to those counters; the ring is written here, off the hot path, and read by
 * the status report and by placement (hence synchronized).
 */
public final class ExpertLoad
{
    public static final int SAMPLE_EVERY_S = 1;
    public static final int WINDOW_S = 60;
    private static final int SAMPLES = WINDOW_S / SAMPLE_EVERY_S + 1;

    private final GatewayMetrics metrics;
    private final long[][] rows;  // [SAMPLES, layers * E] cumulative rows at each sample
    private final long[] atNs;    // [SAMPLES]
    private int next;
    private int taken;

    public ExpertLoad(final GatewayMetrics metrics)
    {
        this.metrics = metrics;
        this.rows = new long[SAMPLES][metrics.layers() * metrics.experts()];
        this.atNs = new long[SAMPLES];
    }

    public int layers()
    {
        return metrics.layers();
    }

    public int experts()
    {
        return metrics.experts();
    }

    public synchronized void sample()
    {
        final long[] now = rows[next];
        for (int l = 0; l < metrics.layers(); l++)
        {
            for (int e = 0; e < metrics.experts(); e++)
            {
                now[l * metrics.experts() + e] = metrics.expertRows(l, e);
            }
        }
        atNs[next] = System.nanoTime();
        next = (next + 1) % SAMPLES;
        taken = Math.min(taken + 1, SAMPLES);
    }

    /** Rows per second sent to the expert between the oldest sample in the last minute and now. */
    public double rowsPerSecond(final int layer, final int expert)
    {
        return rowsPerSecond(layer, expert, WINDOW_S);
    }

    /**
     * Rows per second sent to the expert over the last {@code windowS} seconds (at most a minute):
     * from the newest sample at least that old, or the oldest there is, until now.
     */
    public synchronized double rowsPerSecond(final int layer, final int expert, final int windowS)
    {
        if (taken == 0)
        {
            return 0;
        }
        final int back = Math.min(taken, Math.max(1, Math.min(windowS, WINDOW_S) / SAMPLE_EVERY_S + 1));
        final int from = Math.floorMod(next - back, SAMPLES);
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - atNs[from]);
        if (millis <= 0)
        {
            return 0;
        }
        final long delta = metrics.expertRows(layer, expert) - rows[from][layer * metrics.experts() + expert];
        return delta * 1000.0 / millis;
    }
}
