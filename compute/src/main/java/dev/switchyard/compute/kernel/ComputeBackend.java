package dev.switchyard.compute.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import dev.switchyard.model.checkpoint.WeightTensor;
import dev.switchyard.model.tensor.F32Tensor;

/**
 * Computes linear products y = epilogue(x·Wᵀ + b) over weights it packed itself.
 * <p>
 * Contract every backend keeps: the value of an output row depends only on that input row and the weights:
 * never on the other rows of the block, the block's row count, the row's position in it, or the threads
 * that ran it (each output element is one fixed sequence of float operations over k). Calls never allocate
 * on the heap once warm, and any number of threads may call at once.
 */
public interface ComputeBackend
{
    /** A float of an answer frame: the wire is little-endian. */
    ValueLayout.OfFloat LITTLE_ENDIAN_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** "vector" or "scalar". */
    String name();

    /**
     * Packs a torch {@code Linear}: weight [n, k], bias [n] or null.
     *
     * @throws dev.switchyard.wire.BadInputException naming the tensor whose shape is wrong
     */
    PackedLinear pack(F32Tensor weight, F32Tensor biasOrNull, WeightFormat format);

    /**
     * Packs the two products of a gated activation, computed together: gate [n, k] (no bias), up [n, k],
     * up bias [n] or null. With {@link Epilogue#SWIGLU} the output is silu(x·gateᵀ) ⊙ (x·upᵀ + bias).
     */
    PackedLinear packGated(F32Tensor gate, F32Tensor up, F32Tensor upBiasOrNull, WeightFormat format);

    /**
     * Packs an fp8 checkpoint matrix [n, k] with its block scales ({@link WeightTensor#scales()}), bias [n] or
     * null: each weight is its e4m3 value times its block's scale, one float32 product, whatever the backend.
     * This one packs the float32 weights those make; a backend with fp8 kernels keeps the checkpoint's bytes.
     */
    default PackedLinear packBlockScaled(final WeightTensor weight, final F32Tensor biasOrNull)
    {
        return pack(weight.toF32(), biasOrNull, WeightFormat.F32);
    }

    /** {@link #packGated} for fp8 checkpoint matrices with block scales, as {@link #packBlockScaled}. */
    default PackedLinear packGatedBlockScaled(final WeightTensor gate, final WeightTensor up,
        final F32Tensor upBiasOrNull)
    {
        return packGated(gate.toF32(), up.toF32(), upBiasOrNull, WeightFormat.F32);
    }

    /**
     * y[rows, n] = epilogue(x[rows, k]·Wᵀ + b), row-major, rows contiguous; y is overwritten.
     *
     * @param weights  packed by this backend
     * @param epilogue {@link Epilogue#SWIGLU} exactly when the weights are gated
     */
    void linear(PackedLinear weights, Epilogue epilogue, float[] x, int xOffset, int rows, float[] y, int yOffset);

    /**
     * Whether {@link #linearInto} writes the rows straight into memory, allocating nothing; where it does not,
     * it computes them into an array and copies them there.
     */
    default boolean writesMemory()
    {
        return false;
    }

    /**
     * {@link #linear} with {@link Epilogue#NONE}, an expert's second product, its rows y[rows, n] written as
     * little-endian float32 into {@code y} from byte {@code yOffset}: the rows of an answer frame claimed in
     * the term buffer it is sent from, which saves their copy there. The bits of {@link #linear}. The
     * memory must be accessible from every thread of the backend's pool (not a confined arena's). This one
     * goes through a new array: a backend that {@link #writesMemory()} overrides it.
     */
    default void linearInto(
        final PackedLinear weights, final float[] x, final int xOffset, final int rows, final MemorySegment y,
        final long yOffset)
    {
        final float[] rowsOut = new float[rows * weights.outFeatures()];  // [rows, n]
        linear(weights, Epilogue.NONE, x, xOffset, rows, rowsOut, 0);
        MemorySegment.copy(rowsOut, 0, y, LITTLE_ENDIAN_FLOAT, yOffset, rowsOut.length);
    }
}
