package dev.switchyard.transformer.moe;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.layer.LocalMoeLayer;
import dev.switchyard.model.directory.ModelDirectory;

/** Every MoE layer of a model computed in this process (the {@code --local} path). */
public final class LocalMoeLayers implements MoeLayers
{
    private final LocalMoeLayer[] layers;

    public LocalMoeLayers(final ModelDirectory model, final ComputeBackend backend)
    {
        layers = new LocalMoeLayer[model.layerCount()];
        for (int l = 0; l < layers.length; l++)
        {
            layers[l] = LocalMoeLayer.load(model, l, backend, WeightFormat.F32);
        }
    }

    @Override
    public synchronized void forward(final int layer, final float[] x, final int tokens, final float[] importance,
        final float[] y)
    {
        layers[layer].forward(x, tokens, importance, y, null);
    }
}
