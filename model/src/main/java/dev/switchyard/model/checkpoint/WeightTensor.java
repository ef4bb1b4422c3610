package dev.switchyard.model.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import dev.switchyard.model.tensor.F32Tensor;

/**
 * A checkpoint tensor in its stored dtype, C order, little-endian, over a memory segment (usually
 * the mapped file): nothing is copied until {@link #toF32()} is asked for. Valid while the
 * {@link Checkpoint} it came from is open.
 * <p>
 * An fp8 matrix of a quantized release carries its block scales: {@code scales} [R, C] divides the
 * matrix [r, c] into blocks of [r/R, c/C], and an element's value is its fp8 value times its block's
 * scale, one float32 product: what transformers computes when it dequantizes such a weight on a CPU.
 *
 * @param scales the block scales of an {@link TensorDtype#F8_E4M3} matrix, else null
 */
public record WeightTensor(String name, TensorDtype dtype, long[] shape, MemorySegment data, WeightTensor scales)
{
    public WeightTensor
    {
        final long n = count(shape);
        if (data.byteSize() != n * dtype.bytes())
        {
            throw new IllegalArgumentException("tensor " + name + " " + dtype + " " + Arrays.toString(shape) +
                " needs " + n * dtype.bytes() + " bytes, has " + data.byteSize());
        }
        if (scales != null && (shape.length != 2 || scales.rank() != 2 || scales.scales() != null ||
            shape[0] % scales.dim(0) != 0 || shape[1] % scales.dim(1) != 0))
        {
            throw new IllegalArgumentException("tensor " + name + " " + Arrays.toString(shape) +
                " cannot take block scales " + scales.shapeString());
        }
    }

    /** An unscaled tensor. */
    public WeightTensor(final String name, final TensorDtype dtype, final long[] shape, final MemorySegment data)
    {
        this(name, dtype, shape, data, null);
    }

    /** An fp8 matrix carrying its block scales: its values are e4m3 × scale. */
    public boolean blockScaled()
    {
        return scales != null;
    }

    /** This matrix with its block scales. */
    public WeightTensor withScales(final WeightTensor blockScales)
    {
        return new WeightTensor(name, dtype, shape, data, blockScales);
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

    /** Bytes stored: the elements, and the block scales of a quantized matrix. */
    public long byteSize()
    {
        return data.byteSize() + (scales == null ? 0 : scales.byteSize());
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

    /** Element {@code index} (C order), widened exactly to float32 (times its block scale, if it has one). */
    public float get(final long index)
    {
        return scales == null ? dtype.widen(data, index) : get(index / shape[1], index % shape[1]);
    }

    /** Element [row, col] of a matrix. */
    public float get(final long row, final long col)
    {
        final float stored = dtype.widen(data, row * shape[1] + col);
        if (scales == null)
        {
            return stored;
        }
        return stored * scales.get(row / (shape[0] / scales.dim(0)), col / (shape[1] / scales.dim(1)));
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
        if (scales != null)
        {
            throw new IllegalStateException("tensor " + name + " has block scales: a matrix has no entries");
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
        final MemorySegment slice = data.asSlice(from * rowBytes, rows * rowBytes);
        if (scales == null)
        {
            return new WeightTensor(viewName, dtype, out, slice);
        }
        final long block = shape[0] / scales.dim(0);
        if (from % block != 0 || rows % block != 0)
        {
            throw new IllegalStateException("rows [" + from + ", " + (from + rows) + ") of tensor " + name +
                " split its scale blocks of " + block + " rows");
        }
        return new WeightTensor(viewName, dtype, out, slice,
            scales.rows(viewName + "_scale_inv", from / block, rows / block));
    }

    /** Widened to float32 on the heap: for small tensors (routers, biases); weights stay mapped. */
    public F32Tensor toF32()
    {
        if (dtype == TensorDtype.F32 && scales == null)
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
