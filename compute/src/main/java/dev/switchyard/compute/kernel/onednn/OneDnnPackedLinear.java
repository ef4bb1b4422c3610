package dev.switchyard.compute.kernel.onednn;

import java.lang.foreign.MemorySegment;

import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;

/**
 * Weights reordered into the layout oneDNN's matmul chose for them, with the primitives that multiply by
 * them: one kernel for every block size, which is what keeps a row's bits independent of the rows beside
 * it. Gated weights are one product of 2n columns: the gate's n, then the up product's n; the epilogue
 * joins them.
 *
 * @param columns          the product's columns: n, or 2n for gated weights
 * @param weights          the reordered weights, owned by this object
 * @param weightsMemory    a dnnl_memory_t over {@code weights}
 * @param kernels          the matmul primitives over {@code weights}
 * @param bias             [n] or null
 */
record OneDnnPackedLinear(
    int inFeatures, int outFeatures, int columns, WeightFormat format, boolean gated,
    MemorySegment weights, long weightsMemory, OneDnnKernels kernels, float[] bias) implements PackedLinear
{
    /** oneDNN's name for the kernel, e.g. {@code brg_matmul:avx10_1_512_amx}. */
    String implementation()
    {
        return kernels.implementation();
    }

    @Override
    public boolean hasBias()
    {
        return bias != null;
    }

    @Override
    public long packedBytes()
    {
        return weights.byteSize();
    }

    /** Bytes per element of the product's input rows: the weights' type. */
    int sourceBytes()
    {
        return format == WeightFormat.BF16 ? Short.BYTES : Float.BYTES;
    }

    int dataType()
    {
        return dataType(format);
    }

    /** oneDNN's type for the products of weights stored in {@code format}. */
    static int dataType(final WeightFormat format)
    {
        return format == WeightFormat.BF16 ? OneDnnConstants.DATA_BF16 : OneDnnConstants.DATA_F32;
    }
}
