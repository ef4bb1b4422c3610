package dev.switchyard.compute.kernel.vector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.checkpoint.TensorDtype;
import dev.switchyard.model.checkpoint.WeightTensor;

import static dev.switchyard.compute.kernel.vector.KernelGeometry.NATIVE;
import static dev.switchyard.compute.kernel.vector.KernelGeometry.NR;

/**
 * Packs fp8 matrices with block scales into e4m3 panels (the checkpoint's bytes, moved into panel order) and
 * a scale panel per block of k: each lane of a panel row gets the scale of its own output column, so a
 * kernel multiplies a widened vector by one scale vector. Pad lanes are 0 with scale 0.
 * <pre>
 * weight [n, k] e4m3, scales [n/bn, k/bk]  →  packed byte (p·k + kk)·NR + j, scale ((p·k/bk + kk/bk)·NR + j)
 * </pre>
 * The kernels widen e4m3 to its value × 2⁻¹²⁰ (see {@code MicroKernels.widenFp8}), so each scale is stored
 * × 2¹²⁰, exactly: a matrix holding an e4m3 NaN or a scale of 2⁷ or more (neither occurs in a quantizer's
 * output) is not packed so, and its float32 weights are packed instead.
 */
final class ScaledPanelPacker
{
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT.withOrder(NATIVE);
    /** Bytes past the last panel: the kernels read e4m3 rows 8 lanes at a time where a vector has only 4. */
    private static final int TAIL = 64;

    private ScaledPanelPacker()
    {
    }

    /** 2¹²⁰: what the widened e4m3 values lack, carried by the scales. */
    private static final float UNBIAS = 0x1p120f;
    /** Scales below this stay finite × 2¹²⁰. */
    private static final float SCALE_LIMIT = 0x1p7f;

    /** Whether {@code weight} can be packed so: e4m3 with block scales, no NaN, scales below 2⁷. */
    static boolean packable(final WeightTensor weight)
    {
        if (weight.dtype() != TensorDtype.F8_E4M3 || !weight.blockScaled())
        {
            return false;
        }
        final MemorySegment values = weight.data();
        for (long i = 0; i < values.byteSize(); i++)
        {
            if ((values.get(ValueLayout.JAVA_BYTE, i) & 0x7F) == 0x7F)
            {
                return false;
            }
        }
        final WeightTensor grid = weight.scales();
        for (long i = 0; i < grid.elementCount(); i++)
        {
            final float scale = grid.get(i);
            if (!(Math.abs(scale) < SCALE_LIMIT))
            {
                return false;
            }
        }
        return true;
    }

    /** k steps per scale block of {@code weight}. */
    static int blockK(final WeightTensor weight)
    {
        return (int)(weight.dim(1) / weight.scales().dim(1));
    }

    static VectorPackedLinear pack(final WeightTensor weight, final float[] paddedBias)
    {
        final int n = (int)weight.dim(0);
        final int k = (int)weight.dim(1);
        final int panels = (n + NR - 1) / NR;
        final int bk = blockK(weight);
        final Panels out = new Panels(panels, k, bk);
        for (int p = 0; p < panels; p++)
        {
            for (int j = 0; j < NR && p * NR + j < n; j++)
            {
                out.lane(weight, p * NR + j, p, j);
            }
        }
        return new VectorPackedLinear(k, n, WeightFormat.FP8, false, panels, out.values, paddedBias, out.scales, bk);
    }

    /** Gate lanes [0, NR/2), up lanes [NR/2, NR) of each panel, as {@link PanelPacker#packGated} lays them. */
    static VectorPackedLinear packGated(final WeightTensor gate, final WeightTensor up, final float[] paddedBias)
    {
        final int n = (int)up.dim(0);
        final int k = (int)up.dim(1);
        final int half = NR / 2;
        final int panels = (n + half - 1) / half;
        final int bk = blockK(up);
        final Panels out = new Panels(panels, k, bk);
        for (int p = 0; p < panels; p++)
        {
            for (int j = 0; j < half && p * half + j < n; j++)
            {
                out.lane(gate, p * half + j, p, j);
                out.lane(up, p * half + j, p, half + j);
            }
        }
        return new VectorPackedLinear(k, n, WeightFormat.FP8, true, panels, out.values, paddedBias, out.scales, bk);
    }

    /** The two buffers of a packing, zeroed: pad lanes stay 0 · 0. */
    private static final class Panels
    {
        final MemorySegment values;
        final MemorySegment scales;
        final int k;
        final int bk;

        Panels(final int panels, final int k, final int bk)
        {
            this.k = k;
            this.bk = bk;
            this.values = Arena.ofAuto().allocate((long)panels * k * NR + TAIL, 64);
            this.scales = Arena.ofAuto().allocate((long)panels * (k / bk) * NR * Float.BYTES, 64);
        }

        /** Row {@code row} of {@code weight} (one output column) into lane {@code lane} of panel {@code p}. */
        void lane(final WeightTensor weight, final int row, final int p, final int lane)
        {
            final MemorySegment source = weight.data();
            final long from = (long)row * k;
            final long panel = (long)p * k * NR;
            for (int kk = 0; kk < k; kk++)
            {
                values.set(ValueLayout.JAVA_BYTE, panel + (long)kk * NR + lane,
                    source.get(ValueLayout.JAVA_BYTE, from + kk));
            }
            final WeightTensor grid = weight.scales();
            final long rowBlock = row / (weight.dim(0) / grid.dim(0));
            final int blocks = k / bk;
            for (int b = 0; b < blocks; b++)
            {
                scales.setAtIndex(FLOAT, ((long)p * blocks + b) * NR + lane, grid.get(rowBlock, b) * UNBIAS);
            }
        }
    }
}
