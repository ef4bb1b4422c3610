package dev.switchyard.experts.actor;

import dev.switchyard.router.model.ExpertWeights;
import dev.switchyard.router.model.ModelDirectory;

/** Loads experts from an open model directory: the weights stay views of its mapping. */
public final class ModelExpertLoader implements ExpertLoader
{
    private final ModelDirectory model;

    public ModelExpertLoader(final ModelDirectory model)
    {
        this.model = model;
    }

    @Override
    public LoadedExpert load(final int layer, final int expert)
    {
        final ExpertWeights weights = model.expert(layer, expert);
        final ScalarExpert network = new ScalarExpert(weights);
        return new LoadedExpert()
        {
            @Override
            public void forward(final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset)
            {
                network.forward(x, xOffset, rows, y, yOffset);
            }

            @Override
            public void close()
            {
            }
        };
    }
}
