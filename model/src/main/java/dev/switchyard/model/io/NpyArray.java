package dev.switchyard.model.io;

import java.util.Arrays;

/**
 * A 1-D or 2-D float32 array in C order, as a {@code .npy} file holds it.
 *
 * @param shape [n] or [rows, cols]
 * @param data  the values, row after row
 */
public record NpyArray(long[] shape, float[] data)
{
    public NpyArray
    {
        if (shape.length != 1 && shape.length != 2)
        {
            throw new IllegalArgumentException("only 1-D and 2-D arrays, got shape " + Arrays.toString(shape));
        }
        long n = 1;
        for (final long d : shape)
        {
            if (d < 0)
            {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != data.length)
        {
            throw new IllegalArgumentException(
                "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        shape = shape.clone();
    }

    /** A 1-D array [n]. */
    public static NpyArray vector(final float[] data)
    {
        return new NpyArray(new long[] {data.length}, data);
    }

    /** A 2-D array [rows, cols] over {@code data} (row-major). */
    public static NpyArray matrix(final int rows, final int cols, final float[] data)
    {
        return new NpyArray(new long[] {rows, cols}, data);
    }

    public int rank()
    {
        return shape.length;
    }

    /** Length of the first dimension: rows of a matrix, length of a vector. */
    public int rows()
    {
        return Math.toIntExact(shape[0]);
    }

    /** Columns of a 2-D array. */
    public int cols()
    {
        if (shape.length != 2)
        {
            throw new IllegalStateException("a 1-D array has no columns");
        }
        return Math.toIntExact(shape[1]);
    }

    public float get(final int row, final int col)
    {
        return data[row * cols() + col];
    }

    /** The shape as Python prints it: {@code (2, 3)} or {@code (5,)}. */
    public String shapeString()
    {
        return Npy.pythonShape(shape);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof NpyArray other && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString()
    {
        return "NpyArray" + shapeString();
    }
}
