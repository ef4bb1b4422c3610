package dev.switchyard.compute.kernel.vector;

import java.lang.foreign.MemorySegment;

import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;

/**
 * Weights packed into panels of NR output columns: panel p holds, for every kk in 0..k-1, the NR weights
 * of its columns at step kk, contiguous, so a micro-kernel reads one panel front to back.
 * <pre>
 * f32:  float at ((p·k + kk)·NR + j)·4   // [panels, k, NR], native order, zero past the last column
 * bf16: short at ((p·k + kk)·NR + j)·2   // same layout, upper half of the float32 bits
 * fp8:  byte at (p·k + kk)·NR + j          // same layout, e4m3 as the checkpoint stores it
 *       scale float at ((p·kb + kk/B)·NR + j)·4 in {@code scales}  // [panels, k/B, NR], B = scaleBlock,
 *       each the checkpoint's scale × 2¹²⁰ (the kernels widen e4m3 to value × 2⁻¹²⁰)
 * </pre>
 * Gated weights put a gate column and its up column in the same panel: lanes [0, NR/2) are gate columns
 * p·NR/2 + j, lanes [NR/2, NR) the up columns of the same indices, so the store sees both.
 * The bias is padded with zeros to panels × (columns per panel).
 */
record VectorPackedLinear(
    int inFeatures,
    int outFeatures,
    WeightFormat format,
    boolean gated,
    int panels,
    MemorySegment packed,
    float[] paddedBias,
    MemorySegment scales,
    int scaleBlock) implements PackedLinear
{
    /** Unscaled weights: f32 or bf16. */
    VectorPackedLinear(final int inFeatures, final int outFeatures, final WeightFormat format, final boolean gated,
        final int panels, final MemorySegment packed, final float[] paddedBias)
    {
        this(inFeatures, outFeatures, format, gated, panels, packed, paddedBias, null, 0);
    }

    /** Output columns one panel produces. */
    int columnsPerPanel()
    {
        return gated ? KernelGeometry.NR / 2 : KernelGeometry.NR;
    }

    @Override
    public boolean hasBias()
    {
        return paddedBias != null;
    }

    @Override
    public long packedBytes()
    {
        return packed.byteSize() + (scales == null ? 0 : scales.byteSize());
    }
}
