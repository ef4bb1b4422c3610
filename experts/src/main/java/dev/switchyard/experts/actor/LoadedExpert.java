package dev.switchyard.experts.actor;

import java.lang.foreign.MemorySegment;

import dev.switchyard.compute.network.BlockCompute;
import dev.switchyard.compute.network.FrameCompute;

/** An expert ready to compute, holding whatever it loaded until closed. */
public interface LoadedExpert extends BlockCompute, AutoCloseable
{
    @Override
    void close();

    /**
     * An expert that holds nothing beyond {@code compute} (heap weights, or none); it writes answer frames
     * where {@code compute} can.
     */
    static LoadedExpert holding(final BlockCompute compute)
    {
        return compute instanceof FrameCompute frames ? new HeldFrames(frames) : new Held(compute);
    }

    /** Nothing mapped or off-heap: the weights, if any, go with the network. */
    record Held(BlockCompute compute) implements LoadedExpert
    {
        @Override
        public void forward(final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset)
        {
            compute.forward(x, xOffset, rows, y, yOffset);
        }

        @Override
        public void close()
        {
        }
    }

    /** {@link Held}, for a compute that writes answer frames. */
    record HeldFrames(FrameCompute compute) implements LoadedExpert, FrameCompute
    {
        @Override
        public void forward(final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset)
        {
            compute.forward(x, xOffset, rows, y, yOffset);
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
        }
    }
}
