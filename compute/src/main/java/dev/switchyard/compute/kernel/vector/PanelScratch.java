package dev.switchyard.compute.kernel.vector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Buffers one thread of the vector backend reuses across calls. */
final class PanelScratch
{
    /** [mc, NR] partial sums of one panel for a chunk of rows. */
    final float[] acc;
    /** The call this thread splits over the pool when it calls with more than one thread. */
    final PanelTask task;
    private final int sliceFloats;
    /** [kc, NR] floats: an fp8 panel slice widened, allocated by the first fp8 call of many rows. */
    private MemorySegment slice;

    PanelScratch(final int accFloats, final int sliceFloats, final PanelTask task)
    {
        this.acc = new float[accFloats];
        this.sliceFloats = sliceFloats;
        this.task = task;
    }

    MemorySegment slice()
    {
        if (slice == null)
        {
            slice = Arena.ofAuto().allocate((long)sliceFloats * Float.BYTES, 64);
        }
        return slice;
    }
}
