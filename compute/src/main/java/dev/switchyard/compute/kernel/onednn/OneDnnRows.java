package dev.switchyard.compute.kernel.onednn;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import dev.switchyard.compute.kernel.Bf16;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.kernel.vector.VectorActivations;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rows in and out of oneDNN's buffers: the input rows written in the product's type (bf16 products take
 * bf16 inputs, rounded to nearest even like {@link Bf16#fromFloat}), the output rows read back through the
 * epilogue (bias, activation, the gate) in Java, with the exact activations of the vector backend.
 */
final class OneDnnRows
{
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT.withOrder(NATIVE);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT.withOrder(NATIVE);
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> H =
        ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(I.vectorBitSize() / 2));
    private static final int L = F.length();

    private OneDnnRows()
    {
    }

    /** x[offset, offset + count) → source, as float32. */
    static void writeF32(final float[] x, final int offset, final int count, final MemorySegment source)
    {
        MemorySegment.copy(x, offset, source, FLOAT, 0, count);
    }

    /** x[offset, offset + count) → source, each rounded to the nearest bfloat16 (ties to even). */
    static void writeBf16(final float[] x, final int offset, final int count, final MemorySegment source)
    {
        int i = 0;
        for (; i + L <= count; i += L)
        {
            final IntVector bits = FloatVector.fromArray(F, x, offset + i).reinterpretAsInts();
            final IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
            IntVector rounded = bits.add(0x7fff).add(high.and(1)).lanewise(VectorOperators.LSHR, 16);
            final VectorMask<Integer> nan = bits.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
            rounded = rounded.blend(high.or(0x0040), nan);
            rounded.convertShape(VectorOperators.I2S, H, 0)
                .intoMemorySegment(source, (long)i * Short.BYTES, NATIVE);
        }
        for (; i < count; i++)
        {
            source.setAtIndex(SHORT, i, Bf16.fromFloat(x[offset + i]));
        }
    }

    /**
     * y[rows, n] = epilogue(product + bias); the product is [rows, columns] float32, columns = n, or 2n
     * for a gated product (gate columns, then up columns): y = silu(gate) ⊙ (up + bias).
     */
    static void store(
        final Epilogue epilogue, final MemorySegment product, final int rows, final int n, final int columns,
        final float[] bias, final float[] y, final int yOffset)
    {
        if (epilogue == Epilogue.NONE && bias == null)
        {
            MemorySegment.copy(product, FLOAT, 0, y, yOffset, rows * n);
            return;
        }
        final int full = n - n % L;
        for (int r = 0; r < rows; r++)
        {
            final long row = (long)r * columns * Float.BYTES;
            final int yRow = yOffset + r * n;
            for (int j = 0; j < full; j += L)
            {
                column(epilogue, product, row, n, bias, j, y, yRow, null);
            }
            if (full < n)
            {
                column(epilogue, product, row, n, bias, full, y, yRow, F.indexInRange(full, n));
            }
        }
    }

    /** L columns from j of one row: all of them, or those the mask holds. */
    private static void column(
        final Epilogue epilogue, final MemorySegment product, final long row, final int n, final float[] bias,
        final int j, final float[] y, final int yRow, final VectorMask<Float> m)
    {
        final long at = row + (long)j * Float.BYTES;
        FloatVector h = load(product, at, m);
        if (epilogue == Epilogue.SWIGLU)
        {
            FloatVector up = load(product, at + (long)n * Float.BYTES, m);
            if (bias != null)
            {
                up = up.add(m == null ? FloatVector.fromArray(F, bias, j) : FloatVector.fromArray(F, bias, j, m));
            }
            store(VectorActivations.silu(h).mul(up), y, yRow + j, m);
            return;
        }
        if (bias != null)
        {
            h = h.add(m == null ? FloatVector.fromArray(F, bias, j) : FloatVector.fromArray(F, bias, j, m));
        }
        h = switch (epilogue)
        {
            case NONE, SWIGLU -> h;
            case RELU -> VectorActivations.relu(h);
            case GELU -> VectorActivations.gelu(h);
            case SILU -> VectorActivations.silu(h);
        };
        store(h, y, yRow + j, m);
    }

    private static FloatVector load(final MemorySegment product, final long at, final VectorMask<Float> m)
    {
        return m == null ? FloatVector.fromMemorySegment(F, product, at, NATIVE) :
            FloatVector.fromMemorySegment(F, product, at, NATIVE, m);
    }

    private static void store(final FloatVector h, final float[] y, final int at, final VectorMask<Float> m)
    {
        if (m == null)
        {
            h.intoArray(y, at);
        }
        else
        {
            h.intoArray(y, at, m);
        }
    }
}
