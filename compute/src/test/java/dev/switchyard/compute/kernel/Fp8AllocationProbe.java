package dev.switchyard.compute.kernel;

import java.util.SplittableRandom;

import dev.switchyard.compute.kernel.vector.VectorBackend;

/**
 * Prints the bytes a warm call on fp8 panels allocates, through both paths (fp8 kernels under 8 rows, slices
 * widened first from 8), in a JVM of its own: the JIT's code for the kernels depends on every call before,
 * and a node's JVM makes only its own calls.
 */
public final class Fp8AllocationProbe
{
    private Fp8AllocationProbe()
    {
    }

    public static void main(final String[] args)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final SplittableRandom random = new SplittableRandom(6);
        final VectorBackend backend = new VectorBackend(ComputePool.callerOnly());
        final PackedLinear plain = backend.packBlockScaled(BlockScaledPackingTest.fp8("w", random, 64, 256, 16, 128),
            null);
        final PackedLinear gated = backend.packGatedBlockScaled(
            BlockScaledPackingTest.fp8("g", random, 64, 256, 16, 128),
            BlockScaledPackingTest.fp8("u", random, 64, 256, 16, 128), null);
        final float[] x = TestTensors.values(random, 1.0, 40 * 256);
        final float[] y = new float[40 * 64];
        double perCall = Double.MAX_VALUE;
        // The JIT compiles the call path after some thousands of calls; until then it may allocate.
        for (int round = 0; round < 20 && perCall >= 1; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2000; i++)
            {
                backend.linear(plain, Epilogue.RELU, x, 0, 1 + i % 40, y, 0);
                backend.linear(gated, Epilogue.SWIGLU, x, 0, 1 + i % 40, y, 0);
            }
            perCall = (threads.getCurrentThreadAllocatedBytes() - before) / 4000.0;
        }
        System.out.println(perCall);
    }
}
