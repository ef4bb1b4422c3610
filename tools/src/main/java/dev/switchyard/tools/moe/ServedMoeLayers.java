package dev.switchyard.tools.moe;

import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.transformer.moe.MoeLayers;
import dev.switchyard.wire.BadInputException;

/**
 * A transformer's MoE layers through the serving system: each layer of each pass is one request of its
 * own layer. In exact mode (the default) the request keeps its own groups, formed as in process, so the
 * answers equal {@code --local} bit for bit; in shared mode concurrent requests share groups.
 */
public final class ServedMoeLayers implements MoeLayers
{
    private final SwitchyardClient client;
    private final boolean shared;

    public ServedMoeLayers(final SwitchyardClient client, final boolean shared)
    {
        this.client = client;
        this.shared = shared;
    }

    /**
     * Checks that the gateway serves this model's MoE layers.
     *
     * @throws BadInputException naming what differs
     */
    public static void checkServes(final SwitchyardClient client, final ModelConfig config, final String where)
    {
        final int layers = config.transformer().moePrefixes().size();
        if (client.dModel() != config.dModel() || client.numExperts() != config.numExperts() ||
            client.layers() != layers || client.groupSize() != config.routing().groupSize())
        {
            throw new BadInputException("gateway " + where + " serves " + client.layers() + " MoE layers of d_model " +
                client.dModel() + ", " + client.numExperts() + " experts, groups of " + client.groupSize() +
                "; the model has " + layers + " of d_model " + config.dModel() + ", " + config.numExperts() +
                " experts, groups of " + config.routing().groupSize());
        }
    }

    @Override
    public void forward(final int layer, final float[] x, final int tokens, final float[] importance, final float[] y)
    {
        final RequestOptions options = (shared ? RequestOptions.shared() : RequestOptions.exact()).withLayer(layer);
        final InferAnswer answer = client.infer(x, tokens, importance, false, options, y).join();
        if (!answer.ok())
        {
            throw new BadInputException("MoE layer " + layer + ": the system answered " + answer.status() + ": " +
                answer.detail());
        }
    }
}
