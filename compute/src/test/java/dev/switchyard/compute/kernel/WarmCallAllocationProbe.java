package dev.switchyard.compute.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import dev.switchyard.compute.kernel.vector.VectorBackend;

/**
 * Prints the bytes a warm call of the vector backend allocates, in a JVM of its own (the JIT's code depends
 * on every call before): every epilogue over f32, bf16 and fp8 weights (fp8 through both its paths, fp8
 * kernels under 8 rows and slices widened first from 8), as a node that serves a language model makes them,
 * and the second product stored into an answer frame.
 */
public final class WarmCallAllocationProbe
{
    private WarmCallAllocationProbe()
    {
    }

    public static void main(final String[] args)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final SplittableRandom random = new SplittableRandom(6);
        final VectorBackend backend = new VectorBackend(ComputePool.callerOnly());
        final PackedLinear[] plain = {
            backend.pack(TestTensors.random("w", random, 0.1, 64, 256), null, WeightFormat.F32),
            backend.pack(TestTensors.random("w", random, 0.1, 64, 256), null, WeightFormat.BF16),
            backend.packBlockScaled(BlockScaledPackingTest.fp8("w", random, 64, 256, 16, 128), null)};
        final PackedLinear[] gated = {
            backend.packGated(TestTensors.random("g", random, 0.1, 64, 256),
                TestTensors.random("u", random, 0.1, 64, 256), null, WeightFormat.F32),
            backend.packGatedBlockScaled(BlockScaledPackingTest.fp8("g", random, 64, 256, 16, 128),
                BlockScaledPackingTest.fp8("u", random, 64, 256, 16, 128), null)};
        final float[] x = TestTensors.values(random, 1.0, 40 * 256);
        final float[] y = new float[40 * 64];
        final MemorySegment frame = Arena.global().allocate(64 + 40 * 64 * Float.BYTES);  // an answer frame
        final Epilogue[] epilogues = {Epilogue.NONE, Epilogue.RELU, Epilogue.GELU, Epilogue.SILU};
        double perCall = Double.MAX_VALUE;
        // The JIT compiles the call path after some thousands of calls, later on a busy machine; until then it
        // may allocate. Rounds go on until one allocates nothing, for at most a minute.
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (perCall >= 1 && System.nanoTime() < deadline)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            int calls = 0;
            for (int i = 0; i < 500; i++)
            {
                final int rows = 1 + i % 40;
                for (final PackedLinear w : plain)
                {
                    for (final Epilogue e : epilogues)
                    {
                        backend.linear(w, e, x, 0, rows, y, 0);
                        calls++;
                    }
                    backend.linearInto(w, x, 0, rows, frame, 64);
                    calls++;
                }
                for (final PackedLinear w : gated)
                {
                    backend.linear(w, Epilogue.SWIGLU, x, 0, rows, y, 0);
                    calls++;
                }
            }
            perCall = (threads.getCurrentThreadAllocatedBytes() - before) / (double)calls;
        }
        System.out.println(perCall);
    }
}
