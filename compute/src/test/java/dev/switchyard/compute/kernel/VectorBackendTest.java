package dev.switchyard.compute.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import dev.switchyard.compute.kernel.vector.VectorBackend;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorBackendTest
{
    private static final double TOLERANCE = 1e-5;
    private static final ComputePool POOL = ComputePool.ofThreads(3, 0);

    /** Shapes that hit every tail: rows not a multiple of any kernel height, k and n off every block. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 5, 3}, {2, 17, 15}, {3, 16, 16}, {4, 33, 31}, {5, 7, 64}, {6, 64, 65},
        {7, 100, 33}, {11, 129, 97}, {13, 31, 128}, {17, 300, 130}, {25, 257, 47}, {1, 520, 200},
    };

    @AfterAll
    static void closePool()
    {
        POOL.close();
    }

    static Stream<Arguments> cases()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final Epilogue epilogue : Epilogue.values())
        {
            for (final WeightFormat format : WeightFormat.FROM_FLOAT32)
            {
                cases.add(Arguments.of(epilogue, format));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesScalarReferenceOnEveryTail(final Epilogue epilogue, final WeightFormat format)
    {
        final List<ComputeBackend> vectors = List.of(
            new VectorBackend(ComputePool.callerOnly()),
            new VectorBackend(ComputePool.callerOnly(), 16, 5),
            new VectorBackend(POOL, 7, 3));
        final SplittableRandom random = new SplittableRandom(epilogue.ordinal() * 31L + format.ordinal());
        for (final int[] shape : SHAPES)
        {
            final int m = shape[0];
            final int k = shape[1];
            final int n = shape[2];
            final boolean withBias = random.nextBoolean() || epilogue == Epilogue.NONE;
            final F32Tensor w = TestTensors.random("w", random, 1.0 / Math.sqrt(k), n, k);
            final F32Tensor g = TestTensors.random("g", random, 1.0 / Math.sqrt(k), n, k);
            final F32Tensor b = withBias ? TestTensors.random("b", random, 0.5, n) : null;
            final float[] x = TestTensors.values(random, 1.5, m * k + 3);
            final float[] expected = new float[m * n];
            final ComputeBackend scalar = ComputeBackends.scalar();
            scalar.linear(pack(scalar, epilogue, w, g, b, format), epilogue, x, 3, m, expected, 0);
            for (final ComputeBackend vector : vectors)
            {
                final float[] actual = new float[m * n + 2];
                Arrays.fill(actual, Float.NaN);
                vector.linear(pack(vector, epilogue, w, g, b, format), epilogue, x, 3, m, actual, 1);
                assertTrue(Float.isNaN(actual[0]) && Float.isNaN(actual[m * n + 1]), "wrote outside its rows");
                final float[] written = Arrays.copyOfRange(actual, 1, m * n + 1);
                final double error = TestTensors.maxRelativeError(written, expected);
                assertTrue(error <= TOLERANCE,
                    epilogue + " " + format + " m=" + m + " k=" + k + " n=" + n + ": relative error " + error);
            }
        }
    }

    /**
     * The expert's second product written into memory (an answer frame's rows, little-endian, at any byte
     * offset) has the bits of the array output, on every tail, blocking and thread count, and writes
     * nothing outside its rows.
     */
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F32", "BF16"})
    void writesIntoMemoryTheBitsOfTheArrayOutput(final WeightFormat format)
    {
        final List<ComputeBackend> vectors = List.of(
            new VectorBackend(ComputePool.callerOnly()),
            new VectorBackend(ComputePool.callerOnly(), 16, 5),
            new VectorBackend(POOL, 7, 3));
        final SplittableRandom random = new SplittableRandom(format.ordinal() + 11);
        for (final ComputeBackend vector : vectors)
        {
            MemoryOutputs.assertSameBitsAsArrays(vector, format, random, SHAPES);
        }
    }

    @Test
    void largeBlockSplitOverThreadsMatchesOneThread()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final int m = 40;
        final int k = 300;
        final int n = 700;
        final F32Tensor w = TestTensors.random("w", random, 0.05, n, k);
        final F32Tensor b = TestTensors.random("b", random, 0.5, n);
        final float[] x = TestTensors.values(random, 1.0, m * k);
        final ComputeBackend one = new VectorBackend(ComputePool.callerOnly());
        final ComputeBackend three = new VectorBackend(POOL);
        final float[] y1 = new float[m * n];
        final float[] y3 = new float[m * n];
        one.linear(one.pack(w, b, WeightFormat.F32), Epilogue.GELU, x, 0, m, y1, 0);
        three.linear(three.pack(w, b, WeightFormat.F32), Epilogue.GELU, x, 0, m, y3, 0);
        assertTrue(Arrays.equals(y1, y3), "threads changed the result");
    }

    @Test
    void bf16WeightsAreRoundedOnceToNearest()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final F32Tensor w = TestTensors.random("w", random, 1.0, 20, 9);
        final float[] rounded = w.toArray();
        for (int i = 0; i < rounded.length; i++)
        {
            rounded[i] = Bf16.round(rounded[i]);
        }
        final F32Tensor wRounded = new F32Tensor("w", new long[] {20, 9}, java.lang.foreign.MemorySegment.ofArray(rounded));
        final float[] x = TestTensors.values(random, 1.0, 2 * 9);
        final ComputeBackend vector = new VectorBackend(ComputePool.callerOnly());
        final float[] fromBf16 = new float[2 * 20];
        final float[] fromRounded = new float[2 * 20];
        vector.linear(vector.pack(w, null, WeightFormat.BF16), Epilogue.NONE, x, 0, 2, fromBf16, 0);
        vector.linear(vector.pack(wRounded, null, WeightFormat.F32), Epilogue.NONE, x, 0, 2, fromRounded, 0);
        assertTrue(Arrays.equals(fromBf16, fromRounded), "bf16 storage is not float32 of the rounded weights");
    }

    @Test
    void rejectsWrongShapesNamingTheTensor()
    {
        final SplittableRandom random = new SplittableRandom(1);
        final ComputeBackend vector = new VectorBackend(ComputePool.callerOnly());
        final F32Tensor w = TestTensors.random("experts.3.wi.weight", random, 1, 8, 4);
        final F32Tensor badBias = TestTensors.random("experts.3.wi.bias", random, 1, 4);
        final BadInputException bias = assertThrows(BadInputException.class, () -> vector.pack(w, badBias, WeightFormat.F32));
        assertEquals("tensor experts.3.wi.bias has shape [4], expected [8]", bias.getMessage());
        final F32Tensor flat = TestTensors.random("experts.3.wo.weight", random, 1, 32);
        assertThrows(BadInputException.class, () -> vector.pack(flat, null, WeightFormat.F32));
        final F32Tensor gate = TestTensors.random("experts.3.wg.weight", random, 1, 8, 5);
        final BadInputException gated = assertThrows(BadInputException.class, () -> vector.packGated(gate, w, null, WeightFormat.F32));
        assertTrue(gated.getMessage().startsWith("tensor experts.3.wg.weight has shape [8, 5]"), gated.getMessage());
    }

    @Test
    void rejectsMismatchedEpilogueAndShortArrays()
    {
        final SplittableRandom random = new SplittableRandom(2);
        final ComputeBackend vector = new VectorBackend(ComputePool.callerOnly());
        final F32Tensor w = TestTensors.random("w", random, 1, 8, 4);
        final PackedLinear plain = vector.pack(w, null, WeightFormat.F32);
        final float[] x = new float[8];
        final float[] y = new float[16];
        assertThrows(IllegalArgumentException.class, () -> vector.linear(plain, Epilogue.SWIGLU, x, 0, 2, y, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> vector.linear(plain, Epilogue.NONE, x, 1, 2, y, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> vector.linear(plain, Epilogue.NONE, x, 0, 2, y, 1));
        final PackedLinear scalarPacked = ComputeBackends.scalar().pack(w, null, WeightFormat.F32);
        assertThrows(IllegalArgumentException.class, () -> vector.linear(scalarPacked, Epilogue.NONE, x, 0, 2, y, 0));
    }

    @Test
    void backendsByName()
    {
        assertEquals("vector", ComputeBackends.byName("vector", ComputePool.callerOnly()).name());
        assertEquals("scalar", ComputeBackends.byName("scalar").name());
        final BadInputException e = assertThrows(BadInputException.class, () -> ComputeBackends.byName("cuda"));
        assertEquals("compute backend must be vector, scalar, native or auto (got 'cuda')", e.getMessage());
    }

    private static PackedLinear pack(
        final ComputeBackend backend, final Epilogue epilogue,
        final F32Tensor w, final F32Tensor g, final F32Tensor b, final WeightFormat format)
    {
        return epilogue.gated() ? backend.packGated(g, w, b, format) : backend.pack(w, b, format);
    }
}
