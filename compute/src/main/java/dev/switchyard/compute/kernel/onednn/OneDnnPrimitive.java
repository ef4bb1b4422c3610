package dev.switchyard.compute.kernel.onednn;

import java.lang.foreign.MemorySegment;

/**
 * One matmul primitive with what a call passes it besides the rows and the weights.
 *
 * @param descriptor      its dnnl_primitive_desc_t
 * @param primitive       its dnnl_primitive_t
 * @param scratchpadMd    the descriptor of the scratchpad each call passes
 * @param scratchpadBytes bytes of that scratchpad
 * @param implementation  oneDNN's name for the kernel, e.g. {@code brg_matmul:avx10_1_512_amx}
 */
record OneDnnPrimitive(
    MemorySegment descriptor, long primitive, long scratchpadMd, long scratchpadBytes, String implementation)
{
    /** Whether it is one of oneDNN's blocked (brgemm) kernels rather than its generic gemm. */
    boolean blocked()
    {
        return implementation.startsWith("brg");
    }

    void release(final OneDnnFunctions dnnl)
    {
        dnnl.primitiveDestroy(MemorySegment.ofAddress(primitive));
        dnnl.pdDestroy(descriptor);
    }
}
