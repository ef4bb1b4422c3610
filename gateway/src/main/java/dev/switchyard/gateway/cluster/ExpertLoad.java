package dev.switchyard.gateway.cluster;

import java.util.concurrent.TimeUnit;

import dev.switchyard.gateway.metrics.GatewayMetrics;

/**
 * The rows a gateway sent each expert over a sliding window (the last minute): samples of the
 * gateway's cumulative counters, taken every {@link #SAMPLE_EVERY_S} s into a ring. Sampled and
 * read on one actor's thread.
 */
final class ExpertLoad
{
    static final int SAMPLE_EVERY_S = 5;
    static final int WINDOW_S = 60;
    private static final int SAMPLES = WINDOW_S / SAMPLE_EVERY_S + 1;

    private final GatewayMetrics metrics;
    private final long[][] rows;  // [SAMPLES, layers * E] cumulative rows at each sample
    private final long[] atNs;    // [SAMPLES]
    private int next;
    private int taken;

    ExpertLoad(final GatewayMetrics metrics)
    {
        this.metrics = metrics;
        this.rows = new long[SAMPLES][metrics.layers() * metrics.experts()];
        this.atNs = new long[SAMPLES];
    }

    void sample()
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

    /** Rows per second sent to the expert between the oldest sample in the window and now. */
    double rowsPerSecond(final int layer, final int expert)
    {
        if (taken == 0)
        {
            return 0;
        }
        final int oldest = taken < SAMPLES ? 0 : next;
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - atNs[oldest]);
        if (millis <= 0)
        {
            return 0;
        }
        final long delta = metrics.expertRows(layer, expert) - rows[oldest][layer * metrics.experts() + expert];
        return delta * 1000.0 / millis;
    }
}
