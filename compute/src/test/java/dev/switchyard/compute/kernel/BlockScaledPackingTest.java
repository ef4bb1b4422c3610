package dev.switchyard.compute.kernel;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

import dev.switchyard.compute.kernel.scalar.ScalarBackend;
import dev.switchyard.compute.kernel.vector.VectorBackend;
import dev.switchyard.model.checkpoint.TensorDtype;
import dev.switchyard.model.checkpoint.WeightTensor;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fp8 weights kept as e4m3 panels with their scales compute the very bits of the float32 weights they
 * dequantize to: every row count, gated or not, with bias, scale blocks that do and do not divide the
 * backend's k blocks, on one thread and several.
 */
class BlockScaledPackingTest
{
    private static final ComputePool POOL = ComputePool.ofThreads(3, 0);

    /** {n, k, rows per scale block, columns (k) per scale block}. */
    private static final int[][] SHAPES = {
        {1, 8, 1, 8}, {16, 32, 8, 8}, {33, 24, 11, 8}, {70, 64, 10, 16}, {64, 384, 64, 128}, {130, 96, 13, 3},
    };

    @AfterAll
    static void closePool()
    {
        POOL.close();
    }

    /** Random e4m3 bytes (NaN left out) and random positive scales: the layout fp8 releases store. */
    static WeightTensor fp8(final String name, final SplittableRandom random, final int n, final int k,
        final int blockRows, final int blockCols)
    {
        final byte[] q = new byte[n * k];
        for (int i = 0; i < q.length; i++)
        {
            int b;
            do
            {
                b = random.nextInt(256);
            }
            while ((b & 0x7F) == 0x7F);
            q[i] = (byte)b;
        }
        final int sr = (n + blockRows - 1) / blockRows;
        final int sc = k / blockCols;
        final float[] s = new float[sr * sc];
        for (int i = 0; i < s.length; i++)
        {
            s[i] = (float)(random.nextDouble() * 0.01 / 448 + 1e-6);
        }
        final WeightTensor scales = new WeightTensor(name + "_scale_inv", TensorDtype.F32, new long[] {sr, sc},
            MemorySegment.ofArray(s));
        return new WeightTensor(name, TensorDtype.F8_E4M3, new long[] {n, k}, MemorySegment.ofArray(q))
            .withScales(scales);
    }

    @Test
    void fp8PanelsComputeTheBitsOfTheirFloat32Weights()
    {
        final List<VectorBackend> backends = List.of(new VectorBackend(ComputePool.callerOnly()),
            new VectorBackend(ComputePool.callerOnly(), 16, 5), new VectorBackend(POOL, 7, 3));
        final SplittableRandom random = new SplittableRandom(8);
        for (final int[] shape : SHAPES)
        {
            final int n = shape[0];
            final int k = shape[1];
            if (n % shape[2] != 0)
            {
                continue;
            }
            final WeightTensor w = fp8("w", random, n, k, shape[2], shape[3]);
            final WeightTensor g = fp8("g", random, n, k, shape[2], shape[3]);
            final F32Tensor bias = TestTensors.random("b", random, 0.1, n);
            for (final VectorBackend backend : backends)
            {
                final PackedLinear kept = backend.packBlockScaled(w, bias);
                assertEquals(WeightFormat.FP8, kept.format());
                final PackedLinear widened = backend.pack(w.toF32(), bias, WeightFormat.F32);
                final PackedLinear keptGated = backend.packGatedBlockScaled(g, w, bias);
                final PackedLinear widenedGated = backend.packGated(g.toF32(), w.toF32(), bias, WeightFormat.F32);
                // under 8 rows a chunk runs the fp8 kernels; from 8 it widens each panel slice first
                for (final int rows : new int[] {1, 2, 3, 5, 7, 8, 13, 40})
                {
                    final float[] x = TestTensors.values(random, 1.0, rows * k);
                    for (final Epilogue e : new Epilogue[] {Epilogue.NONE, Epilogue.RELU})
                    {
                        assertArrayEquals(run(backend, widened, e, x, rows, n), run(backend, kept, e, x, rows, n),
                            "n=" + n + " k=" + k + " rows=" + rows + " " + e);
                    }
                    assertArrayEquals(run(backend, widenedGated, Epilogue.SWIGLU, x, rows, n),
                        run(backend, keptGated, Epilogue.SWIGLU, x, rows, n), "gated n=" + n + " rows=" + rows);
                }
            }
        }
    }

    /** A backend without fp8 kernels (scalar) packs the float32 weights the fp8 ones dequantize to. */
    @Test
    void aBackendWithoutFp8KernelsPacksTheFloat32Weights()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final WeightTensor w = fp8("w", random, 16, 32, 8, 8);
        final ComputeBackend scalar = new ScalarBackend();
        final PackedLinear packed = scalar.packBlockScaled(w, null);
        assertEquals(WeightFormat.F32, packed.format());
        final float[] x = TestTensors.values(random, 1.0, 3 * 32);
        final VectorBackend vector = new VectorBackend(ComputePool.callerOnly());
        final float[] reference = run(scalar, scalar.pack(w.toF32(), null, WeightFormat.F32), Epilogue.NONE, x, 3, 16);
        assertArrayEquals(reference, run(scalar, packed, Epilogue.NONE, x, 3, 16));
        final float[] kept = run(vector, vector.packBlockScaled(w, null), Epilogue.NONE, x, 3, 16);
        assertTrue(TestTensors.maxRelativeError(kept, reference) < 1e-5, "vector against scalar");
    }

    /** An e4m3 NaN (never in a quantizer's output) keeps the float32 path, and its NaN. */
    @Test
    void aMatrixWithNanIsPackedAsItsFloat32Weights()
    {
        final SplittableRandom random = new SplittableRandom(4);
        final WeightTensor clean = fp8("w", random, 16, 32, 8, 8);
        final byte[] q = clean.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        q[37] = (byte)0xFF;
        final WeightTensor w = new WeightTensor("w", TensorDtype.F8_E4M3, new long[] {16, 32},
            MemorySegment.ofArray(q)).withScales(clean.scales());
        final VectorBackend backend = new VectorBackend(ComputePool.callerOnly());
        final PackedLinear packed = backend.packBlockScaled(w, null);
        assertEquals(WeightFormat.F32, packed.format());
        final float[] x = TestTensors.values(random, 1.0, 2 * 32);
        final float[] y = run(backend, packed, Epilogue.NONE, x, 2, 16);
        assertArrayEquals(run(backend, backend.pack(w.toF32(), null, WeightFormat.F32), Epilogue.NONE, x, 2, 16), y);
        assertTrue(Float.isNaN(y[1]) && Float.isNaN(y[16 + 1]), "row 1 of the weights holds the NaN");
    }

    @Test
    void float32WeightsAreNeverPackedAsFp8()
    {
        final F32Tensor w = TestTensors.random("w", new SplittableRandom(1), 1.0, 8, 8);
        for (final ComputeBackend backend : List.of(new ScalarBackend(),
            new VectorBackend(ComputePool.callerOnly())))
        {
            final BadInputException ex = assertThrows(BadInputException.class,
                () -> backend.pack(w, null, WeightFormat.FP8));
            assertTrue(ex.getMessage().contains("tensor w is float32"), ex.getMessage());
        }
    }

    private static float[] run(final ComputeBackend backend, final PackedLinear w, final Epilogue e, final float[] x,
        final int rows, final int n)
    {
        final float[] y = new float[rows * n];
        backend.linear(w, e, x, 0, rows, y, 0);
        return y;
    }
}
