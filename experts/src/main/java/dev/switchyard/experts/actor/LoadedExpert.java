package dev.switchyard.experts.actor;

import java.lang.foreign.MemorySegment;

import dev.switchyard.compute.network.BlockCompute;

/** An expert ready to compute, holding whatever it loaded until closed. */
public interface LoadedExpert extends BlockCompute, AutoCloseable
{
    @Override
    void close();

    /** An expert that holds nothing beyond {@code compute} (heap weights, or none). */
    static LoadedExpert holding(final BlockCompute compute)
    {
        return new LoadedExpert()
        {
            @Override
            public void forward(final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset)
            {
                compute.forward(x, xOffset, rows, y, yOffset);
            }

            @Override
            public boolean writesMemory()
            {
                return compute.writesMemory();
            }

            @Override
            public void forward(final float[] x, final int xOffset, final int rows, final MemorySegment y,
                final long yOffset)
            {
                compute.forward(x, xOffset, rows, y, yOffset);
            }

            @Override
            public void close()
            {
                // Nothing mapped or off-heap: the weights, if any, go with the network.
            }
        };
    }
}
