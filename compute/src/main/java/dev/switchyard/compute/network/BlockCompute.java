package dev.switchyard.compute.network;

import java.lang.foreign.MemorySegment;

/** What an expert endpoint runs for a block: y[rows, d] = expert(x[rows, d]), row by row. */
@FunctionalInterface
public interface BlockCompute
{
    void forward(float[] x, int xOffset, int rows, float[] y, int yOffset);

    /** Whether {@link #forward(float[], int, int, MemorySegment, long)} is implemented. */
    default boolean writesMemory()
    {
        return false;
    }

    /**
     * y[rows, d] written as little-endian float32 into memory from byte {@code yOffset}: the rows of an
     * answer frame claimed where it is sent from, which saves their copy. The bits of the float[] form.
     */
    default void forward(final float[] x, final int xOffset, final int rows, final MemorySegment y,
        final long yOffset)
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " writes float[] outputs only");
    }
}
