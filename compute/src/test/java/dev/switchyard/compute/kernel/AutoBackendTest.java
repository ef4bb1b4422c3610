package dev.switchyard.compute.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;

import dev.switchyard.compute.kernel.onednn.OneDnnBackend;
import dev.switchyard.model.checkpoint.WeightTensor;
import dev.switchyard.model.tensor.F32Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code auto}: bf16 weights on the native backend, float32 and fp8 weights on the vector one, each with its bits. */
class AutoBackendTest
{
    private static final int M = 5;
    private static final int K = 96;
    private static final int N = 40;

    private final ComputeBackend auto = ComputeBackends.byName(ComputeBackends.AUTO, ComputePool.callerOnly());
    private final ComputeBackend nativeBackend = new OneDnnBackend(ComputePool.callerOnly());
    private final ComputeBackend vector = ComputeBackends.vector(ComputePool.callerOnly());
    private final SplittableRandom random = new SplittableRandom(3);
    private final F32Tensor w = TestTensors.random("w", random, 0.1, N, K);
    private final F32Tensor g = TestTensors.random("g", random, 0.1, N, K);
    private final F32Tensor b = TestTensors.random("b", random, 0.1, N);
    private final float[] x = TestTensors.values(random, 1.0, M * K);

    @BeforeAll
    static void requireBf16Units()
    {
        assumeTrue(ComputeBackends.nativePreferred(), "auto is vector here: oneDNN or the CPU's bf16 units are missing");
    }

    @Test
    void bf16WeightsRunNativeAndTheRestVector()
    {
        assertEquals(ComputeBackends.AUTO, auto.name());
        final AutoBackend chooser = (AutoBackend)auto;
        assertEquals(ComputeBackends.NATIVE, chooser.backendFor(WeightFormat.BF16).name());
        assertEquals(ComputeBackends.VECTOR, chooser.backendFor(WeightFormat.F32).name());
        assertEquals(ComputeBackends.VECTOR, chooser.backendFor(WeightFormat.FP8).name());
        for (final WeightFormat format : new WeightFormat[] {WeightFormat.F32, WeightFormat.BF16})
        {
            final ComputeBackend expected = format == WeightFormat.BF16 ? nativeBackend : vector;
            assertArrayEquals(rows(expected, expected.pack(w, b, format), Epilogue.RELU),
                rows(auto, auto.pack(w, b, format), Epilogue.RELU), format + " products");
            assertArrayEquals(rows(expected, expected.packGated(g, w, b, format), Epilogue.SWIGLU),
                rows(auto, auto.packGated(g, w, b, format), Epilogue.SWIGLU), format + " gated products");
        }
        // bf16 products round the rows too, so the two backends' bits tell which one ran.
        assertFalse(Arrays.equals(rows(nativeBackend, nativeBackend.pack(w, b, WeightFormat.BF16), Epilogue.NONE),
            rows(vector, vector.pack(w, b, WeightFormat.BF16), Epilogue.NONE)));
    }

    @Test
    void fp8WeightsStayFp8OnVector()
    {
        final WeightTensor q = BlockScaledPackingTest.fp8("q", random, N, K, 8, 8);
        final PackedLinear packed = auto.packBlockScaled(q, b);
        assertTrue(packed.packedBytes() < (long)N * K * Float.BYTES, "fp8 weights widened: " + packed.packedBytes());
        assertArrayEquals(rows(vector, vector.packBlockScaled(q, b), Epilogue.NONE), rows(auto, packed, Epilogue.NONE));
    }

    @Test
    void answerFramesGetTheBitsOfArrays()
    {
        for (final WeightFormat format : new WeightFormat[] {WeightFormat.F32, WeightFormat.BF16})
        {
            final PackedLinear packed = auto.pack(w, b, format);
            final float[] expected = rows(auto, packed, Epilogue.NONE);
            try (Arena arena = Arena.ofShared())
            {
                final MemorySegment frame = arena.allocate(8L + (long)M * N * Float.BYTES);
                auto.linearInto(packed, x, 0, M, frame, 8);
                final float[] written = new float[M * N];
                MemorySegment.copy(frame, ComputeBackend.LITTLE_ENDIAN_FLOAT, 8, written, 0, written.length);
                assertArrayEquals(expected, written, format + " rows written into memory");
            }
        }
    }

    private float[] rows(final ComputeBackend backend, final PackedLinear packed, final Epilogue epilogue)
    {
        final float[] y = new float[M * N];
        backend.linear(packed, epilogue, x, 0, M, y, 0);
        return y;
    }
}
