package dev.switchyard.compute.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import dev.switchyard.model.tensor.F32Tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks of {@link ComputeBackend#linearInto}: an answer frame's rows, written where it is sent from. */
final class MemoryOutputs
{
    private static final ValueLayout.OfInt LITTLE_ENDIAN_INT =
        ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final byte UNTOUCHED = 0x7f;

    private MemoryOutputs()
    {
    }

    /**
     * The expert's second product written into memory (little-endian, at any byte offset) has the bits of
     * the array output on every shape {m, k, n}, with and without a bias, and nothing is written outside its
     * rows.
     */
    static void assertSameBitsAsArrays(
        final ComputeBackend backend, final WeightFormat format, final SplittableRandom random, final int[][] shapes)
    {
        assertTrue(backend.writesMemory(), backend.name());
        for (final int[] shape : shapes)
        {
            final int m = shape[0];
            final int k = shape[1];
            final int n = shape[2];
            final F32Tensor w = TestTensors.random("w", random, 1.0 / Math.sqrt(k), n, k);
            final F32Tensor b = random.nextBoolean() ? TestTensors.random("b", random, 0.5, n) : null;
            final float[] x = TestTensors.values(random, 1.5, m * k);
            final PackedLinear packed = backend.pack(w, b, format);
            final float[] expected = new float[m * n];
            backend.linear(packed, Epilogue.NONE, x, 0, m, expected, 0);
            try (Arena arena = Arena.ofShared())
            {
                final long offset = 4 + random.nextInt(5);  // a frame's rows start wherever its header ends
                final long end = offset + (long)m * n * Float.BYTES;
                final MemorySegment frame = arena.allocate(end + 8);
                frame.fill(UNTOUCHED);
                backend.linearInto(packed, x, 0, m, frame, offset);
                final String shapeName = backend.name() + " " + format + " m=" + m + " k=" + k + " n=" + n;
                for (int i = 0; i < m * n; i++)
                {
                    assertEquals(Float.floatToRawIntBits(expected[i]),
                        frame.get(LITTLE_ENDIAN_INT, offset + (long)i * Float.BYTES), shapeName + " element " + i);
                }
                for (long at = 0; at < frame.byteSize(); at = at == offset - 1 ? end : at + 1)
                {
                    assertEquals(UNTOUCHED, frame.get(ValueLayout.JAVA_BYTE, at), shapeName + ": wrote byte " + at);
                }
            }
        }
    }
}
