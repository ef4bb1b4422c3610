package dev.switchyard.compute.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.switchyard.compute.kernel.onednn.OneDnnBackend;
import dev.switchyard.compute.kernel.onednn.OneDnnLibrary;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The oneDNN backend against the scalar reference, and its rows' independence of their block. */
class OneDnnBackendTest
{
    private static final double TOLERANCE = 1e-5;
    private static final ComputePool POOL = ComputePool.ofThreads(2, 0);

    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 5, 3}, {2, 17, 15}, {3, 16, 16}, {4, 33, 31}, {17, 64, 65}, {33, 129, 97}, {70, 300, 130},
    };

    @BeforeAll
    static void requireLibrary()
    {
        final OneDnnLibrary library = OneDnnLibrary.get();
        assumeTrue(library.available(), "native backend not tested: " + library.reason());
        System.out.println("native backend: " + new OneDnnBackend(ComputePool.callerOnly()).describe(WeightFormat.BF16));
    }

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

    /** bf16 weights make bf16 products: the reference rounds the rows to bf16 too, then sums in float. */
    @ParameterizedTest
    @MethodSource("cases")
    void matchesScalarReference(final Epilogue epilogue, final WeightFormat format)
    {
        final ComputeBackend backend = new OneDnnBackend(ComputePool.callerOnly());
        final SplittableRandom random = new SplittableRandom(epilogue.ordinal() * 31L + format.ordinal());
        for (final int[] shape : SHAPES)
        {
            final int m = shape[0];
            final int k = shape[1];
            final int n = shape[2];
            final F32Tensor w = TestTensors.random("w", random, 1.0 / Math.sqrt(k), n, k);
            final F32Tensor g = TestTensors.random("g", random, 1.0 / Math.sqrt(k), n, k);
            final F32Tensor b = random.nextBoolean() ? TestTensors.random("b", random, 0.5, n) : null;
            final float[] x = TestTensors.values(random, 1.5, m * k + 3);
            final float[] reference = x.clone();
            if (format == WeightFormat.BF16)
            {
                for (int i = 0; i < reference.length; i++)
                {
                    reference[i] = Bf16.round(reference[i]);
                }
            }
            final float[] expected = new float[m * n];
            final ComputeBackend scalar = ComputeBackends.scalar();
            scalar.linear(pack(scalar, epilogue, w, g, b, format), epilogue, reference, 3, m, expected, 0);
            final float[] actual = new float[m * n + 2];
            Arrays.fill(actual, Float.NaN);
            backend.linear(pack(backend, epilogue, w, g, b, format), epilogue, x, 3, m, actual, 1);
            assertTrue(Float.isNaN(actual[0]) && Float.isNaN(actual[m * n + 1]), "wrote outside its rows");
            final double error = TestTensors.maxRelativeError(Arrays.copyOfRange(actual, 1, m * n + 1), expected);
            assertTrue(error <= TOLERANCE,
                epilogue + " " + format + " m=" + m + " k=" + k + " n=" + n + ": relative error " + error);
        }
    }

    /** An expert's second product into an answer frame has the bits of the array output, on 1 and 2 threads. */
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F32", "BF16"})
    void writesIntoMemoryTheBitsOfTheArrayOutput(final WeightFormat format)
    {
        final SplittableRandom random = new SplittableRandom(format.ordinal() + 5);
        MemoryOutputs.assertSameBitsAsArrays(new OneDnnBackend(ComputePool.callerOnly()), format, random, SHAPES);
        MemoryOutputs.assertSameBitsAsArrays(new OneDnnBackend(POOL), format, random, SHAPES);
    }

    /**
     * Where the CPU has bfloat16 units, products run on oneDNN's blocked kernels. Without AMX, oneDNN answers
     * a row count given at each call with its generic gemm, 2.5× slower at one row.
     */
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F32", "BF16"})
    void productsRunOnBlockedKernels(final WeightFormat format)
    {
        assumeTrue(OneDnnLibrary.get().hasBf16Units(), "no bfloat16 units");
        final String kernel = new OneDnnBackend(ComputePool.callerOnly()).describe(format);
        assertTrue(kernel.contains("brg_matmul"), format + " products run on " + kernel);
    }

    /**
     * A row's bits do not depend on the block it came in: every block size, position and thread split
     * gives the rows of one whole-block call.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void rowsAreIndependentOfTheirBlock(final Epilogue epilogue, final WeightFormat format)
    {
        for (final int[] kn : new int[][] {{256, 200}, {1100, 72}})
        {
            checkRowsOfEveryBlock(epilogue, format, 300, kn[0], kn[1]);
        }
    }

    private static void checkRowsOfEveryBlock(
        final Epilogue epilogue, final WeightFormat format, final int m, final int k, final int n)
    {
        final SplittableRandom random = new SplittableRandom(11 + epilogue.ordinal() + k);
        final F32Tensor w = TestTensors.random("w", random, 1.0 / Math.sqrt(k), n, k);
        final F32Tensor g = TestTensors.random("g", random, 1.0 / Math.sqrt(k), n, k);
        final F32Tensor b = TestTensors.random("b", random, 0.5, n);
        final float[] x = TestTensors.values(random, 1.0, m * k);
        final ComputeBackend one = new OneDnnBackend(ComputePool.callerOnly());
        final PackedLinear packed = pack(one, epilogue, w, g, b, format);
        final float[] whole = new float[m * n];
        one.linear(packed, epilogue, x, 0, m, whole, 0);
        for (final int rows : new int[] {1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 64, 100, 255})
        {
            for (int trial = 0; trial < 3; trial++)
            {
                // The last trial ends at the whole block's last row: its partial tile.
                final int first = trial == 2 ? m - rows : random.nextInt(m - rows + 1);
                final float[] part = new float[rows * n];
                one.linear(packed, epilogue, x, first * k, rows, part, 0);
                assertArrayEquals(Arrays.copyOfRange(whole, first * n, (first + rows) * n), part,
                    epilogue + " " + format + " k=" + k + ": " + rows + " rows from row " + first +
                    " differ from the whole block");
            }
        }
        final ComputeBackend two = new OneDnnBackend(POOL);
        final float[] split = new float[m * n];
        two.linear(pack(two, epilogue, w, g, b, format), epilogue, x, 0, m, split, 0);
        assertArrayEquals(whole, split, "splitting rows over threads changed them");
    }

    @Test
    void threadsCallingAtOnceGetTheirOwnRows() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(5);
        final int k = 512;
        final int n = 384;
        final F32Tensor w = TestTensors.random("w", random, 0.05, n, k);
        final ComputeBackend backend = new OneDnnBackend(ComputePool.callerOnly());
        final PackedLinear packed = backend.pack(w, null, WeightFormat.BF16);
        final float[][] inputs = new float[4][];
        final float[][] expected = new float[4][];
        for (int t = 0; t < 4; t++)
        {
            inputs[t] = TestTensors.values(random, 1.0, (t + 1) * 16 * k);
            expected[t] = new float[(t + 1) * 16 * n];
            backend.linear(packed, Epilogue.NONE, inputs[t], 0, (t + 1) * 16, expected[t], 0);
        }
        final ExecutorService threads = Executors.newFixedThreadPool(4);
        try
        {
            final List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                final int id = t;
                final Callable<Boolean> repeat = () ->
                {
                    final float[] y = new float[expected[id].length];
                    for (int i = 0; i < 50; i++)
                    {
                        backend.linear(packed, Epilogue.NONE, inputs[id], 0, (id + 1) * 16, y, 0);
                        if (!Arrays.equals(y, expected[id]))
                        {
                            return false;
                        }
                    }
                    return true;
                };
                results.add(threads.submit(repeat));
            }
            for (final Future<Boolean> result : results)
            {
                assertTrue(result.get(), "a thread's rows changed while others computed");
            }
        }
        finally
        {
            threads.shutdownNow();
        }
    }

    /**
     * Once compiled, a call allocates nothing on the heap: handles travel as numbers, buffers are kept.
     * The epilogues of the checkpoint families (ReLU with bias, SwiGLU); a plain SiLU or GELU epilogue
     * still allocates its vectors where the JIT does not inline the exact exponential (as in {@code vector}).
     */
    @Test
    void warmCallsAllocateNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final SplittableRandom random = new SplittableRandom(9);
        final ComputeBackend backend = new OneDnnBackend(ComputePool.callerOnly());
        final int k = 64;
        final int n = 96;
        final PackedLinear plain = backend.pack(TestTensors.random("w", random, 0.1, n, k),
            TestTensors.random("b", random, 0.1, n), WeightFormat.BF16);
        final PackedLinear gated = backend.packGated(TestTensors.random("g", random, 0.1, n, k),
            TestTensors.random("u", random, 0.1, n, k), null, WeightFormat.F32);
        final float[] x = TestTensors.values(random, 1.0, 40 * k);
        final float[] y = new float[40 * n];
        double perCall = Double.MAX_VALUE;
        // The JIT compiles the call path after some thousands of calls, later on a busy machine; until then
        // it may allocate. A path that allocates per call allocates in every round.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Arena arena = Arena.ofShared())
        {
            final MemorySegment frame = arena.allocate(64 + 40L * n * Float.BYTES);  // an answer frame's rows
            while (perCall >= 1 && System.nanoTime() < deadline)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 5000; i++)
                {
                    backend.linear(plain, Epilogue.RELU, x, 0, 1 + i % 40, y, 0);
                    backend.linear(gated, Epilogue.SWIGLU, x, 0, 1 + i % 40, y, 0);
                    backend.linearInto(plain, x, 0, 1 + i % 40, frame, 64);
                }
                perCall = (threads.getCurrentThreadAllocatedBytes() - before) / 15000.0;
            }
        }
        assertTrue(perCall < 1, "a warm call allocates " + perCall + " bytes");
    }

    @Test
    void rejectsWrongShapesAndForeignWeights()
    {
        final SplittableRandom random = new SplittableRandom(1);
        final ComputeBackend backend = new OneDnnBackend(ComputePool.callerOnly());
        final F32Tensor w = TestTensors.random("experts.3.wi.weight", random, 1, 8, 4);
        final F32Tensor badBias = TestTensors.random("experts.3.wi.bias", random, 1, 4);
        final BadInputException bias = assertThrows(BadInputException.class,
            () -> backend.pack(w, badBias, WeightFormat.BF16));
        assertEquals("tensor experts.3.wi.bias has shape [4], expected [8]", bias.getMessage());
        final PackedLinear vectorPacked = ComputeBackends.scalar().pack(w, null, WeightFormat.F32);
        assertThrows(IllegalArgumentException.class,
            () -> backend.linear(vectorPacked, Epilogue.NONE, new float[4], 0, 1, new float[8], 0));
    }

    private static PackedLinear pack(
        final ComputeBackend backend, final Epilogue epilogue,
        final F32Tensor w, final F32Tensor g, final F32Tensor b, final WeightFormat format)
    {
        return epilogue.gated() ? backend.packGated(g, w, b, format) : backend.pack(w, b, format);
    }
}
