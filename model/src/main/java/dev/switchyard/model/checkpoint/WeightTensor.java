package dev.switchyard.model.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import dev.switchyard.model.tensor.F32Tensor;

/**
 * A checkpoint tensor in its stored dtype, C order, little-endian, over a memory segment (usually
 * the mapped file): nothing is copied until {@link #toF32()} is asked for. Valid while the
 * {@link Checkpoint} it came from is open.
 */
public record WeightTensor(String name, TensorDtype dtype, long[] shape, MemorySegment data)
{
    public WeightTensor
    {
        final long n = count(shape);
        if (data.byteSize() != n * dtype.bytes())
        {
            throw new IllegalArgumentException("tensor " + name + " " + dtype + " " + Arrays.toString(shape) +
                " needs " + n * dtype.bytes() + " bytes, has " + data.byteSize());
        }
    }

    private static long count(final long[] shape)
    {
        long n = 1;
        for (final long d : shape)
        {
            n *= d;
        }
        return n;
    }

    public long elementCount()
    {
        return count(shape);
    }

    public long byteSize()
    {
        return data.byteSize();
    }

    public int rank()
    {
        return shape.length;
    }

    public long dim(final int i)
    {
        return shape[i];
    }

    /** A copy of the shape. */
    public long[] shapeCopy()
    {
        return shape.clone();
    }

    public String shapeString()
    {
        return Arrays.toString(shape);
    }

    /** Element {@code index} (C order), widened exactly to float32. */
    public float get(final long index)
    {
        return dtype.widen(data, index);
    }

    /** Element [row, col] of a matrix. */
    public float get(final long row, final long col)
    {
        return dtype.widen(data, row * shape[1] + col);
    }

    /**
     * Entry {@code i} of the first dimension: [n0, n1, ...] → [n1, ...], a view (fused experts
     * [E, 2F, d] → expert i's [2F, d]).
     */
    public WeightTensor index(final String viewName, final long i)
    {
        if (shape.length < 2 || i < 0 || i >= shape[0])
        {
            throw new IndexOutOfBoundsException("tensor " + name + " " + shapeString() + " has no entry " + i);
        }
        final long[] rest = Arrays.copyOfRange(shape, 1, shape.length);
        final long bytes = count(rest) * dtype.bytes();
        return new WeightTensor(viewName, dtype, rest, data.asSlice(i * bytes, bytes));
    }

    /** Rows [from, from + rows) of the first dimension, a view ([2F, d] → gate rows [F, d]). */
    public WeightTensor rows(final String viewName, final long from, final long rows)
    {
        if (shape.length < 1 || from < 0 || rows < 0 || from + rows > shape[0])
        {
            throw new IndexOutOfBoundsException("tensor " + name + " " + shapeString() + " has no rows [" +
                from + ", " + (from + rows) + ")");
        }
        final long[] out = shape.clone();
        out[0] = rows;
        final long rowBytes = count(Arrays.copyOfRange(shape, 1, shape.length)) * dtype.bytes();
        return new WeightTensor(viewName, dtype, out, data.asSlice(from * rowBytes, rows * rowBytes));
    }

    /** Widened to float32 on the heap: for small tensors (routers, biases); weights stay mapped. */
    public F32Tensor toF32()
    {
        if (dtype == TensorDtype.F32)
        {
            return new F32Tensor(name, shape.clone(), data);
        }
        final long n = elementCount();
        final MemorySegment out = Arena.ofAuto().allocate(n * Float.BYTES, Float.BYTES);
        for (long i = 0; i < n; i++)
        {
            out.setAtIndex(F32Tensor.LE_FLOAT, i, get(i));
        }
        return new F32Tensor(name, shape.clone(), out);
    }
}
