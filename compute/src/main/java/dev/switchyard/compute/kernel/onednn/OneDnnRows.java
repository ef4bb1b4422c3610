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
    private static final ValueLayout.OfFloat LITTLE_ENDIAN_FLOAT =
        ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
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
        if (epilogue == Epilogue.SWIGLU)
        {
            for (int r = 0; r < rows; r++)
            {
                gatedRow(product, (long)r * columns * Float.BYTES, n, bias, y, yOffset + r * n);
            }
            return;
        }
        // Copy, bias, then the activation over the whole block: each loop small enough for the JIT to keep
        // its vectors in registers (one loop doing all three would allocate them).
        MemorySegment.copy(product, FLOAT, 0, y, yOffset, rows * n);
        if (bias != null)
        {
            for (int r = 0; r < rows; r++)
            {
                addBias(bias, y, yOffset + r * n, n);
            }
        }
        if (epilogue == Epilogue.RELU)
        {
            relu(y, yOffset, rows * n);
        }
        else if (epilogue == Epilogue.GELU)
        {
            gelu(y, yOffset, rows * n);
        }
        else if (epilogue == Epilogue.SILU)
        {
            silu(y, yOffset, rows * n);
        }
    }

    /**
     * y = product + bias as little-endian float32 into memory from byte {@code yOffset}: {@code count} floats
     * of rows of n (an ungated product, columns = n), an answer frame's rows.
     */
    static void storeLinear(
        final MemorySegment product, final int count, final int n, final float[] bias, final MemorySegment y,
        final long yOffset)
    {
        if (bias == null)
        {
            MemorySegment.copy(product, FLOAT, 0, y, LITTLE_ENDIAN_FLOAT, yOffset, count);
            return;
        }
        for (int at = 0; at < count; at += n)
        {
            final long row = (long)at * Float.BYTES;
            int j = 0;
            for (; j + L <= n; j += L)
            {
                final long offset = row + (long)j * Float.BYTES;
                FloatVector.fromMemorySegment(F, product, offset, NATIVE).add(FloatVector.fromArray(F, bias, j))
                    .intoMemorySegment(y, yOffset + offset, ByteOrder.LITTLE_ENDIAN);
            }
            for (; j < n; j++)
            {
                final long offset = row + (long)j * Float.BYTES;
                y.set(LITTLE_ENDIAN_FLOAT, yOffset + offset, product.get(FLOAT, offset) + bias[j]);
            }
        }
    }

    /** silu(gate) ⊙ (up + bias) for one row of n outputs. */
    private static void gatedRow(
        final MemorySegment product, final long row, final int n, final float[] bias, final float[] y, final int at)
    {
        final long up = row + (long)n * Float.BYTES;
        int j = 0;
        for (; j + L <= n; j += L)
        {
            final FloatVector g = FloatVector.fromMemorySegment(F, product, row + (long)j * Float.BYTES, NATIVE);
            FloatVector u = FloatVector.fromMemorySegment(F, product, up + (long)j * Float.BYTES, NATIVE);
            if (bias != null)
            {
                u = u.add(FloatVector.fromArray(F, bias, j));
            }
            VectorActivations.silu(g).mul(u).intoArray(y, at + j);
        }
        if (j < n)
        {
            final VectorMask<Float> m = F.indexInRange(j, n);
            final FloatVector g = FloatVector.fromMemorySegment(F, product, row + (long)j * Float.BYTES, NATIVE, m);
            FloatVector u = FloatVector.fromMemorySegment(F, product, up + (long)j * Float.BYTES, NATIVE, m);
            if (bias != null)
            {
                u = u.add(FloatVector.fromArray(F, bias, j, m));
            }
            VectorActivations.silu(g).mul(u).intoArray(y, at + j, m);
        }
    }

    private static void addBias(final float[] bias, final float[] y, final int at, final int n)
    {
        int j = 0;
        for (; j + L <= n; j += L)
        {
            FloatVector.fromArray(F, y, at + j).add(FloatVector.fromArray(F, bias, j)).intoArray(y, at + j);
        }
        for (; j < n; j++)
        {
            y[at + j] += bias[j];
        }
    }

    private static void relu(final float[] y, final int at, final int count)
    {
        int i = 0;
        for (; i + L <= count; i += L)
        {
            VectorActivations.relu(FloatVector.fromArray(F, y, at + i)).intoArray(y, at + i);
        }
        if (i < count)
        {
            final VectorMask<Float> m = F.indexInRange(i, count);
            VectorActivations.relu(FloatVector.fromArray(F, y, at + i, m)).intoArray(y, at + i, m);
        }
    }

    private static void gelu(final float[] y, final int at, final int count)
    {
        int i = 0;
        for (; i + L <= count; i += L)
        {
            VectorActivations.gelu(FloatVector.fromArray(F, y, at + i)).intoArray(y, at + i);
        }
        if (i < count)
        {
            final VectorMask<Float> m = F.indexInRange(i, count);
            VectorActivations.gelu(FloatVector.fromArray(F, y, at + i, m)).intoArray(y, at + i, m);
        }
    }

    private static void silu(final float[] y, final int at, final int count)
    {
        int i = 0;
        for (; i + L <= count; i += L)
        {
            VectorActivations.silu(FloatVector.fromArray(F, y, at + i)).intoArray(y, at + i);
        }
        if (i < count)
        {
            final VectorMask<Float> m = F.indexInRange(i, count);
            VectorActivations.silu(FloatVector.fromArray(F, y, at + i, m)).intoArray(y, at + i, m);
        }
    }
}
