package dev.switchyard.compute.kernel;

import java.lang.foreign.MemorySegment;

/**
 * One {@link ComputeBackend#linear} call split into chunks over a {@link ComputePool}: the call's
 * arguments, held while it runs and dropped after, so that a thread's task is reused call after call.
 * A backend says what a chunk is (panels of the output, rows of the block).
 *
 * @param <W> the backend's packed weights
 */
public abstract class LinearCallTask<W extends PackedLinear> extends ParallelTask
{
    protected W weights;
    protected Epilogue epilogue;
    protected float[] x;
    protected int xOffset;
    protected int rows;
    protected float[] y;
    protected int yOffset;
    /** Or the output in memory, little-endian, from byte {@link #yMemoryOffset} (then y is null). */
    protected MemorySegment yMemory;
    protected long yMemoryOffset;
    protected int chunks;

    /** The call to split into {@code chunkCount} chunks. */
    public final void set(
        final W w, final Epilogue e, final float[] in, final int inOffset, final int rowCount,
        final float[] out, final int outOffset, final int chunkCount)
    {
        weights = w;
        epilogue = e;
        x = in;
        xOffset = inOffset;
        rows = rowCount;
        y = out;
        yOffset = outOffset;
        yMemory = null;
        chunks = chunkCount;
    }

    /** The call's output goes to memory instead ({@link ComputeBackend#linearInto}). */
    public final void setOutput(final MemorySegment out, final long outOffset)
    {
        y = null;
        yMemory = out;
        yMemoryOffset = outOffset;
    }

    /** Drops the call's arrays and weights: a reused task keeps nothing of a finished call alive. */
    public final void clear()
    {
        weights = null;
        x = null;
        y = null;
        yMemory = null;
    }
}
