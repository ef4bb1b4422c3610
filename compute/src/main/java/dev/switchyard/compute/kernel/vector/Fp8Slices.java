package dev.switchyard.compute.kernel.vector;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;

import static dev.switchyard.compute.kernel.vector.KernelGeometry.L;
import static dev.switchyard.compute.kernel.vector.KernelGeometry.NATIVE;
import static dev.switchyard.compute.kernel.vector.KernelGeometry.NR;
import static dev.switchyard.compute.kernel.vector.KernelGeometry.S;

/**
 * A slice of an fp8 panel widened and scaled into float32 once, for a block of many rows: the 6-row float32
 * kernels then run over it, instead of the 4-row fp8 kernels widening every weight for every row block. The
 * floats are the products the fp8 kernels form, so either path gives a row the same bits.
 */
final class Fp8Slices
{
    /** Rows from which a chunk widens its slices first. */
    static final int WIDEN_FIRST_ROWS = 8;

    private Fp8Slices()
    {
    }

    /**
     * out[kk, j] = widen(panel[kk, j]) · scale[j] for kk in [0, steps): the [steps, NR] slice at
     * {@code bOff} of an e4m3 panel, its scales (one block of k) at {@code sOff}.
     */
    static void widen(final MemorySegment b, final long bOff, final MemorySegment s, final long sOff,
        final int steps, final MemorySegment out)
    {
        // No vector lives across an iteration (the scales are reloaded from L1): a vector held in a loop the JIT
        // compiles on stack replacement would be boxed.
        for (int kk = 0; kk < steps; kk++)
        {
            for (int v = 0; v < NR / L; v++)
            {
                final long at = (long)kk * NR + (long)v * L;
                final FloatVector scale = FloatVector.fromMemorySegment(S, s, sOff + (long)v * L * Float.BYTES, NATIVE);
                MicroKernels.widenFp8(b, bOff + at).mul(scale).intoMemorySegment(out, at * Float.BYTES, NATIVE);
            }
        }
    }
}
