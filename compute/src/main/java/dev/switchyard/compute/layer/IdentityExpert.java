package dev.switchyard.compute.layer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import dev.switchyard.compute.network.FrameCompute;

/**
 * An expert that answers every block with its own rows. It stands in for the FFNs where a
 * measurement is about everything else (gating, dispatch, the data plane, combine): the blocks,
 * their sizes and their routes stay those of the real model, and a layer of them computes
 * y = Σ gate · x, which is still checkable.
 */
public final class IdentityExpert implements FrameCompute
{
    private static final ValueLayout.OfFloat LITTLE_ENDIAN_FLOAT =
        ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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

    @Override
    public void forward(final float[] x, final int xOffset, final int rows, final MemorySegment y, final long yOffset)
    {
        // x [rows, d_model] -> y [rows, d_model] little-endian: one copy, straight into the answer frame
        MemorySegment.copy(x, xOffset, y, LITTLE_ENDIAN_FLOAT, yOffset, rows * dModel);
    }
}
