package dev.switchyard.node.system;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.wire.frame.WireLayout;
import org.agrona.CloseHelper;

/**
 * What every role of a node stands on: the model directory, the model's shape as this node serves
 * it, the data plane (media driver and Aeron client) sized for its largest message, and the
 * gateway's metrics (read by placement and HTTP on any node). Started first, closed last.
 */
final class NodeBase implements AutoCloseable
{
    private final ModelDirectory model;
    private final ModelConfig modelConfig;
    private final DataPlane dataPlane;
    private final GatewayMetrics metrics;

    private NodeBase(
        final ModelDirectory model, final ModelConfig modelConfig, final DataPlane dataPlane,
        final GatewayMetrics metrics)
    {
        this.model = model;
        this.modelConfig = modelConfig;
        this.dataPlane = dataPlane;
        this.metrics = metrics;
    }

    static NodeBase start(final NodeSettings settings)
    {
        final ModelDirectory model = ModelDirectory.open(settings.model());
        try
        {
            final ModelConfig config = servedConfig(model.config(), settings.groupSize());
            final int experts = config.numExperts();
            final DataPlane dataPlane = DataPlane.start(settings.dataPlane().sizedFor(
                WireLayout.largestMessage(config.routing().maxBlockRows(experts),
                config.routing().groupSize(), config.dModel())));
            return new NodeBase(model, config, dataPlane, new GatewayMetrics(model.layerCount(), experts));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(model);
            throw ex;
        }
    }

    /** The model's configuration with the group size this node is told to gate by, when it is told one. */
    private static ModelConfig servedConfig(final ModelConfig config, final int groupSize)
    {
        if (groupSize <= 0)
        {
            return config;
        }
        return new ModelConfig(config.dModel(), config.dFf(), config.numExperts(), config.activation(),
            config.expertBias(), config.routing().withGroupSize(groupSize));
    }

    ModelDirectory model()
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
        return model.layerCount();
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
