package dev.switchyard.compute.network;

import java.lang.foreign.MemorySegment;

/**
 * A block compute that can also write its rows into an answer frame: the frame claimed in the term buffer
 * it is sent from, which saves the rows' copy there.
 */
public interface FrameCompute extends BlockCompute
{
    /**
     * y[rows, d] written as little-endian float32 into memory from byte {@code yOffset}, allocating nothing
     * once warm. The bits of {@link #forward(float[], int, int, float[], int)}. The memory must be accessible
     * from every thread the compute uses (not a confined arena's).
     */
    void forward(float[] x, int xOffset, int rows, MemorySegment y, long yOffset);
}
