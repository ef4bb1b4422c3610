package dev.switchyard.compute.kernel;

import java.lang.foreign.MemorySegment;

import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;

/** Shape checks shared by the backends; each failure names the tensor. */
public final class LinearShapes
{
    private LinearShapes()
    {
    }

    /** A weight [n, k] with n, k ≥ 1. */
    public static void requireMatrix(final F32Tensor weight)
    {
        if (weight == null)
        {
            throw new BadInputException("a linear product needs a weight tensor");
        }
        if (weight.rank() != 2 || weight.shape()[0] < 1 || weight.shape()[1] < 1)
        {
            throw new BadInputException(
                "tensor " + weight.name() + " has shape " + weight.shapeString() + ", expected [out, in]");
        }
        if (weight.shape()[0] * weight.shape()[1] > Integer.MAX_VALUE)
        {
            throw new BadInputException("tensor " + weight.name() + " " + weight.shapeString() + " is too large");
        }
    }

    /** Weights given as float32 are packed as f32 or bf16: fp8 comes only from an fp8 checkpoint's tensors. */
    public static void requireUnscaledFormat(final F32Tensor weight, final WeightFormat format)
    {
        if (format == WeightFormat.FP8)
        {
            throw new BadInputException("tensor " + weight.name() + " is float32: fp8 weights are packed from an " +
                "fp8 checkpoint's own tensors, never converted");
        }
    }

    /** A bias [n], or null. */
    public static void requireBias(final F32Tensor biasOrNull, final int n)
    {
        if (biasOrNull != null && (biasOrNull.rank() != 1 || biasOrNull.shape()[0] != n))
        {
            throw new BadInputException(
                "tensor " + biasOrNull.name() + " has shape " + biasOrNull.shapeString() + ", expected [" + n + "]");
        }
    }

    /** Two weights of one gated product: same shape. */
    public static void requireSameShape(final F32Tensor expected, final F32Tensor actual)
    {
        requireMatrix(actual);
        if (expected.shape()[0] != actual.shape()[0] || expected.shape()[1] != actual.shape()[1])
        {
            throw new BadInputException(
                "tensor " + actual.name() + " has shape " + actual.shapeString() + ", expected " +
                expected.shapeString() + " like " + expected.name());
        }
    }

    /** Checks the arrays hold rows × width floats from their offsets. */
    public static void requireBlock(
        final float[] x, final int xOffset, final int rows, final int in,
        final float[] y, final int yOffset, final int out)
    {
        if (rows < 0 || xOffset < 0 || yOffset < 0 ||
            (long)xOffset + (long)rows * in > x.length || (long)yOffset + (long)rows * out > y.length)
        {
            throw new IndexOutOfBoundsException(
                "block of " + rows + " rows: x[" + x.length + "] from " + xOffset + " needs " + in +
                " per row, y[" + y.length + "] from " + yOffset + " needs " + out + " per row");
        }
    }

    /** {@link #requireBlock} for an output in memory: rows × out float32 from byte {@code yOffset}. */
    public static void requireBlock(
        final float[] x, final int xOffset, final int rows, final int in,
        final MemorySegment y, final long yOffset, final int out)
    {
        if (rows < 0 || xOffset < 0 || yOffset < 0 || (long)xOffset + (long)rows * in > x.length ||
            yOffset + (long)rows * out * Float.BYTES > y.byteSize())
        {
            throw new IndexOutOfBoundsException(
                "block of " + rows + " rows: x[" + x.length + "] from " + xOffset + " needs " + in +
                " per row, " + y.byteSize() + " bytes of output from " + yOffset + " need " + out * Float.BYTES +
                " per row");
        }
    }

    /**
     * The weights of a call, as the backend's own type, once checked: packed by that backend, and gated
     * exactly when the epilogue is.
     */
    public static <W extends PackedLinear> W requireOwn(
        final Class<W> type, final PackedLinear weights, final Epilogue epilogue)
    {
        if (!type.isInstance(weights))
        {
            throw new IllegalArgumentException(
                "weights were packed by another backend (" + weights.getClass().getSimpleName() + ")");
        }
        if (epilogue.gated() != weights.gated())
        {
            throw new IllegalArgumentException(
                "epilogue " + epilogue + " does not match " + (weights.gated() ? "gated" : "plain") + " weights");
        }
        return type.cast(weights);
    }
}
