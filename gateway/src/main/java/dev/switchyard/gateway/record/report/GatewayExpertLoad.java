package dev.switchyard.gateway.record.report;

import dev.switchyard.gateway.metrics.GatewayMetrics;

/** Per-expert rows and drops of a gateway in this JVM. */
public final class GatewayExpertLoad implements ExpertLoad
{
    private final GatewayMetrics metrics;

    public GatewayExpertLoad(final GatewayMetrics metrics)
    {
        this.metrics = metrics;
    }

    @Override
    public long sample(final long[] rows)
    {
        java.util.Arrays.fill(rows, 0);
        for (int l = 0; l < metrics.layers(); l++)
        {
            for (int e = 0; e < rows.length; e++)
            {
                rows[e] += metrics.expertRows(l, e);
            }
        }
        return metrics.droppedFirstByCapacity.get() + metrics.droppedSecondByCapacity.get() +
            metrics.secondRemovedByPolicy.get();
    }

    @Override
    public int experts()
    {
        return metrics.experts();
    }
}
