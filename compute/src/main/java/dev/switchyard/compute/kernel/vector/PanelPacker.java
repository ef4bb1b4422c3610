package dev.switchyard.compute.kernel.vector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import dev.switchyard.compute.kernel.Bf16;
import dev.switchyard.compute.kernel.LinearShapes;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.tensor.F32Tensor;

import static dev.switchyard.compute.kernel.vector.KernelGeometry.NR;

/** Packs torch-oriented weights [n, k] into {@link VectorPackedLinear} panels, one panel at a time. */
final class PanelPacker
{
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT.withOrder(KernelGeometry.NATIVE);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT.withOrder(KernelGeometry.NATIVE);

    private PanelPacker()
    {
    }

    static VectorPackedLinear pack(final F32Tensor weight, final F32Tensor biasOrNull, final WeightFormat format)
    {
        LinearShapes.requireMatrix(weight);
        LinearShapes.requireUnscaledFormat(weight, format);
        final int n = weight.dim(0);
        final int k = weight.dim(1);
        LinearShapes.requireBias(biasOrNull, n);
        final int panels = (n + NR - 1) / NR;
        final MemorySegment packed = allocate(panels, k, format);
        final float[] panel = new float[k * NR]; // [k, NR]
        final float[] row = new float[k];
        for (int p = 0; p < panels; p++)
        {
            Arrays.fill(panel, 0.0f);
            for (int j = 0; j < NR && p * NR + j < n; j++)
            {
                readRow(weight, p * NR + j, row);
                scatter(row, panel, j);
            }
            write(panel, packed, (long)p * k * NR, format);
        }
        return new VectorPackedLinear(k, n, format, false, panels, packed, paddedBias(biasOrNull, panels * NR));
    }

    static VectorPackedLinear packGated(
        final F32Tensor gate, final F32Tensor up, final F32Tensor upBiasOrNull, final WeightFormat format)
    {
        LinearShapes.requireMatrix(up);
        LinearShapes.requireSameShape(up, gate);
        LinearShapes.requireUnscaledFormat(up, format);
        final int n = up.dim(0);
        final int k = up.dim(1);
        LinearShapes.requireBias(upBiasOrNull, n);
        final int half = NR / 2;
        final int panels = (n + half - 1) / half;
        final MemorySegment packed = allocate(panels, k, format);
        final float[] panel = new float[k * NR]; // [k, NR]: gate lanes, then up lanes
        final float[] row = new float[k];
        for (int p = 0; p < panels; p++)
        {
            Arrays.fill(panel, 0.0f);
            for (int j = 0; j < half && p * half + j < n; j++)
            {
                readRow(gate, p * half + j, row);
                scatter(row, panel, j);
                readRow(up, p * half + j, row);
                scatter(row, panel, half + j);
            }
            write(panel, packed, (long)p * k * NR, format);
        }
        return new VectorPackedLinear(k, n, format, true, panels, packed, paddedBias(upBiasOrNull, panels * half));
    }

    private static MemorySegment allocate(final int panels, final int k, final WeightFormat format)
    {
        final long bytesPerWeight = format == WeightFormat.BF16 ? Short.BYTES : Float.BYTES;
        return Arena.ofAuto().allocate((long)panels * k * NR * bytesPerWeight, 64);
    }

    private static void readRow(final F32Tensor weight, final int rowIndex, final float[] row)
    {
        MemorySegment.copy(weight.data(), F32Tensor.LE_FLOAT, (long)rowIndex * row.length * Float.BYTES, row, 0,
            row.length);
    }

    private static void scatter(final float[] row, final float[] panel, final int lane)
    {
        for (int kk = 0; kk < row.length; kk++)
        {
            panel[kk * NR + lane] = row[kk];
        }
    }

    private static void write(final float[] panel, final MemorySegment packed, final long firstIndex,
        final WeightFormat format)
    {
        if (format == WeightFormat.F32)
        {
            MemorySegment.copy(panel, 0, packed, FLOAT, firstIndex * Float.BYTES, panel.length);
        }
        else
        {
            for (int i = 0; i < panel.length; i++)
            {
                packed.setAtIndex(SHORT, firstIndex + i, Bf16.fromFloat(panel[i]));
            }
        }
    }

    static float[] paddedBias(final F32Tensor biasOrNull, final int paddedLength)
    {
        if (biasOrNull == null)
        {
            return null;
        }
        final float[] bias = new float[paddedLength];
        MemorySegment.copy(biasOrNull.data(), F32Tensor.LE_FLOAT, 0, bias, 0, biasOrNull.dim(0));
        return bias;
    }
}
