package dev.switchyard.gateway.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/**
 * A latency histogram with fixed buckets, recorded by one data-plane thread without allocating
 * (a bucket search and two atomic adds) and turned into the client library's histogram snapshot
 * when scraped, so Prometheus computes rates and quantiles over any window.
 */
public final class LatencyHistogram implements Collector
{
    /** Upper bounds in seconds; the last bucket is +Inf. */
    static final double[] BOUNDS_SECONDS = {
        50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 10,
        Double.POSITIVE_INFINITY};

    private final String name;
    private final String help;
    private final long[] boundsMicros = new long[BOUNDS_SECONDS.length];
    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS_SECONDS.length);
    private final AtomicLong sumMicros = new AtomicLong();

    public LatencyHistogram(final String name, final String help)
    {
        this.name = name;
        this.help = help;
        for (int i = 0; i < boundsMicros.length; i++)
        {
            boundsMicros[i] = Double.isInfinite(BOUNDS_SECONDS[i]) ? Long.MAX_VALUE :
                Math.round(BOUNDS_SECONDS[i] * 1e6);
        }
    }

    public void recordMicros(final long micros)
    {
        int i = 0;
        while (micros > boundsMicros[i])
        {
            i++;
        }
        counts.incrementAndGet(i);
        sumMicros.addAndGet(micros);
    }

    @Override
    public MetricSnapshot collect()
    {
        final long[] snapshot = new long[counts.length()];
        for (int i = 0; i < snapshot.length; i++)
        {
            snapshot[i] = counts.get(i);
        }
        return HistogramSnapshot.builder().name(name).help(help)
            .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS_SECONDS, snapshot))
                .sum(sumMicros.get() * 1e-6)
                .build())
            .build();
    }

    @Override
    public String getPrometheusName()
    {
        return name;
    }
}
