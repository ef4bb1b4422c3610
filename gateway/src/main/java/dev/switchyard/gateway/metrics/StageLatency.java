package dev.switchyard.gateway.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/**
 * Where a request's time goes at the gateway, one histogram per {@link Stage} (the {@code stage}
 * label), with the buckets of {@link LatencyHistogram}. Recorded by the data-plane thread without
 * allocating (a bucket search and two atomic adds); turned into a snapshot when scraped.
 */
public final class StageLatency implements Collector
{
    public static final String NAME = "switchyard_gateway_stage_latency_seconds";

    /** The stages, in the order a request meets them. */
    public enum Stage
    {
        /** Per group: from the arrival of its oldest request to the start of its gating. */
        QUEUE_WAIT("queue_wait"),
        /** Per group: router projection, softmax and top-2 gating. */
        GATING("gating"),
        /** Per group: handing every expert its block to the data plane. */
        DISPATCH("dispatch"),
        /** Per block: from its send to the expert's result. */
        EXPERT_ROUND_TRIP("expert_round_trip"),
        /** Per block: reading the result and adding it, gated, into the group's output. */
        COMBINE("combine"),
        /** Per request: from arrival to answer. */
        TOTAL("total");

        private final String label;

        Stage(final String label)
        {
            this.label = label;
        }

        public String label()
        {
            return label;
        }
    }

    private static final Stage[] STAGES = Stage.values();
    private static final int BUCKETS = LatencyHistogram.BOUNDS_SECONDS.length;

    private final long[] boundsNanos = new long[BUCKETS];
    private final AtomicLongArray counts = new AtomicLongArray(STAGES.length * BUCKETS);  // [stages, buckets]
    private final AtomicLongArray sumNanos = new AtomicLongArray(STAGES.length);

    public StageLatency()
    {
        for (int i = 0; i < BUCKETS; i++)
        {
            final double bound = LatencyHistogram.BOUNDS_SECONDS[i];
            boundsNanos[i] = Double.isInfinite(bound) ? Long.MAX_VALUE : Math.round(bound * 1e9);
        }
    }

    /** Records one duration; a negative one (clocks of two threads) counts as 0. */
    public void recordNanos(final Stage stage, final long nanos)
    {
        final long value = Math.max(0, nanos);
        int i = 0;
        while (value > boundsNanos[i])
        {
            i++;
        }
        counts.incrementAndGet(stage.ordinal() * BUCKETS + i);
        sumNanos.addAndGet(stage.ordinal(), value);
    }

    /** Observations of {@code stage} so far. */
    public long count(final Stage stage)
    {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++)
        {
            n += counts.get(stage.ordinal() * BUCKETS + i);
        }
        return n;
    }

    @Override
    public MetricSnapshot collect()
    {
        final HistogramSnapshot.Builder builder = HistogramSnapshot.builder().name(NAME)
            .help("Time spent at each stage of the gateway (stage label), as a histogram.");
        for (final Stage stage : STAGES)
        {
            final long[] snapshot = new long[BUCKETS];
            for (int i = 0; i < BUCKETS; i++)
            {
                snapshot[i] = counts.get(stage.ordinal() * BUCKETS + i);
            }
            builder.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .labels(Labels.of("stage", stage.label()))
                .classicHistogramBuckets(ClassicHistogramBuckets.of(LatencyHistogram.BOUNDS_SECONDS, snapshot))
                .sum(sumNanos.get(stage.ordinal()) * 1e-9)
                .build());
        }
        return builder.build();
    }

    @Override
    public String getPrometheusName()
    {
        return NAME;
    }
}
