package dev.switchyard.compute.layer;

import dev.switchyard.compute.network.BlockCompute;

/**
 * An expert that answers every block with its own rows. It stands in for the FFNs where a
 * measurement is about everything else (gating, dispatch, the data plane, combine): the blocks,
 * their sizes and their routes stay those of the real model, and a layer of them computes
 * y = Σ gate · x, which is still checkable.
 */
public final class IdentityExpert implements BlockCompute
{
    private final int dModel;

    public IdentityExpert(final int dModel)
    {
        this.dModel = dModel;
    }

    @Override
    public void forward(final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset)
    {
        // x, y: [rows, d_model]
        System.arraycopy(x, xOffset, y, yOffset, rows * dModel);
    }
}
