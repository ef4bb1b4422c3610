package dev.switchyard.model.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A float32 little-endian tensor in C order over a memory segment (usually a mapped file).
 * The segment is not copied: the tensor is valid while the arena that owns it is open.
 */
public record F32Tensor(String name, long[] shape, MemorySegment data)
{
    public static final ValueLayout.OfFloat LE_FLOAT =
        ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public F32Tensor
    {
        long n = 1;
        for (final long d : shape)
        {
            n *= d;
        }
        if (data.byteSize() != n * Float.BYTES)
        {
            throw new IllegalArgumentException(
                "tensor " + name + " " + Arrays.toString(shape) + " needs " + n * Float.BYTES +
                " bytes, has " + data.byteSize());
        }
    }

    public long elementCount()
    {
        return data.byteSize() / Float.BYTES;
    }

    public int rank()
    {
        return shape.length;
    }

    public int dim(final int i)
    {
        return Math.toIntExact(shape[i]);
    }

    public float get(final long index)
    {
        return data.getAtIndex(LE_FLOAT, index);
    }

    public float get(final long row, final long col)
    {
        return data.getAtIndex(LE_FLOAT, row * shape[1] + col);
    }

    /** A heap copy; for tests and small tensors only (weights stay mapped). */
    public float[] toArray()
    {
        final float[] out = new float[Math.toIntExact(elementCount())];
        MemorySegment.copy(data, LE_FLOAT, 0, out, 0, out.length);
        return out;
    }

    public String shapeString()
    {
        return Arrays.toString(shape);
    }
}
