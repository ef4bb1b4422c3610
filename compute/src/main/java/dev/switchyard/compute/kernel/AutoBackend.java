package dev.switchyard.compute.kernel;

import java.lang.foreign.MemorySegment;

import dev.switchyard.compute.kernel.onednn.OneDnnBackend;
import dev.switchyard.model.checkpoint.WeightTensor;
import dev.switchyard.model.tensor.F32Tensor;

/**
 * {@code auto} on a CPU with bfloat16 units: each weight set on the backend that serves its format best.
 * bf16 weights go to {@code native}, whose bf16 products run on those units (AMX tiles, AVX-512 BF16).
 * Everything else goes to {@code vector}: float32 products gain nothing from the units and oneDNN's are
 * slower at the few rows of decoding, and fp8 weights stay fp8 only in {@code vector}'s kernels ({@code
 * native} would widen them to float32, four times their memory).
 * <p>
 * Each weight set is computed by one backend for its whole life, so its rows keep that backend's bits.
 */
public final class AutoBackend implements ComputeBackend
{
    private final OneDnnBackend bf16;
    private final ComputeBackend others;

    /**
     * @param bf16   the native backend, for bf16 weights
     * @param others the vector backend, for the rest
     */
    public AutoBackend(final OneDnnBackend bf16, final ComputeBackend others)
    {
        this.bf16 = bf16;
        this.others = others;
    }

    @Override
    public String name()
    {
        return ComputeBackends.AUTO;
    }

    @Override
    public PackedLinear pack(final F32Tensor weight, final F32Tensor biasOrNull, final WeightFormat format)
    {
        return backendFor(format).pack(weight, biasOrNull, format);
    }

    @Override
    public PackedLinear packGated(
        final F32Tensor gate, final F32Tensor up, final F32Tensor upBiasOrNull, final WeightFormat format)
    {
        return backendFor(format).packGated(gate, up, upBiasOrNull, format);
    }

    @Override
    public PackedLinear packBlockScaled(final WeightTensor weight, final F32Tensor biasOrNull)
    {
        return others.packBlockScaled(weight, biasOrNull);
    }

    @Override
    public PackedLinear packGatedBlockScaled(
        final WeightTensor gate, final WeightTensor up, final F32Tensor upBiasOrNull)
    {
        return others.packGatedBlockScaled(gate, up, upBiasOrNull);
    }

    @Override
    public void linear(
        final PackedLinear weights, final Epilogue epilogue, final float[] x, final int xOffset, final int rows,
        final float[] y, final int yOffset)
    {
        owner(weights).linear(weights, epilogue, x, xOffset, rows, y, yOffset);
    }

    @Override
    public boolean writesMemory()
    {
        return bf16.writesMemory() && others.writesMemory();
    }

    @Override
    public void linearInto(
        final PackedLinear weights, final float[] x, final int xOffset, final int rows, final MemorySegment y,
        final long yOffset)
    {
        owner(weights).linearInto(weights, x, xOffset, rows, y, yOffset);
    }

    /** The backend weights of this format are packed and computed by. */
    public ComputeBackend backendFor(final WeightFormat format)
    {
        return format == WeightFormat.BF16 ? bf16 : others;
    }

    private ComputeBackend owner(final PackedLinear weights)
    {
        return OneDnnBackend.packed(weights) ? bf16 : others;
    }
}
