package dev.switchyard.transformer.moe;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.layer.CheckpointMoeLayer;
import dev.switchyard.model.checkpoint.Checkpoint;

/**
 * The served layers of a decoder-only checkpoint computed in this process: each call is one request of its own,
 * every token routed alone (the dropless families), as the serving system computes it.
 */
public final class CheckpointMoeLayers implements MoeLayers
{
    private final CheckpointMoeLayer[] layers;

    private CheckpointMoeLayers(final CheckpointMoeLayer[] layers)
    {
        this.layers = layers;
    }

    /** Served layers 0..count − 1 of the checkpoint, experts packed in {@code format} (null: as stored). */
    public static CheckpointMoeLayers load(final Checkpoint checkpoint, final int count, final ComputeBackend backend,
        final WeightFormat format)
    {
        final CheckpointMoeLayer[] layers = new CheckpointMoeLayer[count];
        for (int i = 0; i < count; i++)
        {
            layers[i] = CheckpointMoeLayer.load(checkpoint, i, backend, format);
        }
        return new CheckpointMoeLayers(layers);
    }

    /** @param importance must be null: these families route by the router alone */
    @Override
    public void forward(final int layer, final float[] x, final int tokens, final float[] importance, final float[] y)
    {
        if (importance != null)
        {
            throw new IllegalArgumentException("checkpoint layers route by the router alone: no importance");
        }
        layers[layer].forward(x, tokens, tokens, y, null, null);
    }
}
