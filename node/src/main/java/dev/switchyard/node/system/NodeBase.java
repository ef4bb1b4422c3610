package dev.switchyard.node.system;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.wire.frame.WireLayout;
import org.agrona.CloseHelper;

/**
 * What every role of a node stands on: the served model (a model directory or a checkpoint folder),
 * its shape as this node serves it, the data plane (media driver and Aeron client) sized for its
 * largest message, and the gateway's metrics (read by placement and HTTP on any node). Started first, closed last.
 */
final class NodeBase implements AutoCloseable
{
    private final ServedModel model;
    private final ModelConfig modelConfig;
    private final DataPlane dataPlane;
    private final GatewayMetrics metrics;

    private NodeBase(
        final ServedModel model, final ModelConfig modelConfig, final DataPlane dataPlane,
        final GatewayMetrics metrics)
    {
        this.model = model;
        this.modelConfig = modelConfig;
        this.dataPlane = dataPlane;
        this.metrics = metrics;
    }

    static NodeBase start(final NodeSettings settings)
    {
        final ServedModel model = ServedModel.open(settings.model(), settings.groupSize());
        try
        {
            final ModelConfig config = model.config();
            final int experts = config.numExperts();
            final DataPlane dataPlane = DataPlane.start(settings.dataPlane().sizedFor(
                WireLayout.largestMessage(config.routing().maxBlockRows(experts),
                config.routing().groupSize(), config.dModel(), model.reportEntries())));
            return new NodeBase(model, config, dataPlane, new GatewayMetrics(model.layers(), experts));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(model);
            throw ex;
        }
    }

    ServedModel model()
    {
        return model;
    }

    ModelConfig modelConfig()
    {
        return modelConfig;
    }

    DataPlane dataPlane()
    {
        return dataPlane;
    }

    GatewayMetrics metrics()
    {
        return metrics;
    }

    int layers()
    {
        return model.layers();
    }

    int experts()
    {
        return modelConfig.numExperts();
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(dataPlane, model);
    }
}
