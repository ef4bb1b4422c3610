package dev.switchyard.compute.kernel.onednn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.nio.ByteOrder;

import dev.switchyard.compute.kernel.Bf16;
import dev.switchyard.compute.kernel.LinearShapes;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.tensor.F32Tensor;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * Builds a matmul primitive for torch-oriented weights [n, k] and reorders the weights into the layout it
 * asks for. Once, at load: the weights are read from the (mapped) tensors, written as the product's type
 * into a temporary buffer, reordered, and the buffer dropped.
 */
final class OneDnnPacker
{
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.nativeOrder());
    private static final Cleaner CLEANER = Cleaner.create();

    private final OneDnnLibrary library;
    private final OneDnnFunctions dnnl;

    OneDnnPacker(final OneDnnLibrary library)
    {
        this.library = library;
        this.dnnl = library.functions();
    }

    OneDnnPackedLinear pack(final F32Tensor weight, final F32Tensor biasOrNull, final WeightFormat format)
    {
        LinearShapes.requireMatrix(weight);
        LinearShapes.requireUnscaledFormat(weight, format);
        final int n = weight.dim(0);
        LinearShapes.requireBias(biasOrNull, n);
        return build(new F32Tensor[] {weight}, biasOrNull, format, false);
    }

    OneDnnPackedLinear packGated(
        final F32Tensor gate, final F32Tensor up, final F32Tensor upBiasOrNull, final WeightFormat format)
    {
        LinearShapes.requireMatrix(up);
        LinearShapes.requireSameShape(up, gate);
        LinearShapes.requireUnscaledFormat(up, format);
        LinearShapes.requireBias(upBiasOrNull, up.dim(0));
        return build(new F32Tensor[] {gate, up}, upBiasOrNull, format, true);
    }

    /** The parts' rows, one after the other, are the product's columns. */
    private OneDnnPackedLinear build(
        final F32Tensor[] parts, final F32Tensor biasOrNull, final WeightFormat format, final boolean gated)
    {
        OneDnnThreads.bound(dnnl);
        final int n = parts[0].dim(0);
        final int k = parts[0].dim(1);
        final int columns = n * parts.length;
        final int type = OneDnnPackedLinear.dataType(format);
        final MemorySegment engine = library.engine();
        final OneDnnKernels kernels = OneDnnKernels.build(library, k, columns, type);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment out = arena.allocate(ADDRESS);
            final MemorySegment packedMd = kernels.weightsMd();
            final MemorySegment weights = Arena.ofAuto().allocate(dnnl.mdSize(packedMd), 64);
            final long weightsMemory = dnnl.memoryCreate(out, packedMd.address(), engine.address(), weights.address());
            final long plainMd = OneDnnKernels.md(dnnl, arena, out, k, columns, type, OneDnnConstants.TAG_BA);
            reorder(arena, out, plainMd, plain(arena, parts, format), packedMd, weightsMemory);
            dnnl.mdDestroy(plainMd);
            final OneDnnPackedLinear packed = new OneDnnPackedLinear(k, n, columns, format, gated, weights,
                weightsMemory, kernels, biasOrNull == null ? null : biasOrNull.toArray());
            final OneDnnFunctions functions = dnnl;
            CLEANER.register(packed, () -> release(functions, weightsMemory, kernels));
            return packed;
        }
    }

    private static void release(final OneDnnFunctions dnnl, final long memory, final OneDnnKernels kernels)
    {
        dnnl.memoryDestroy(memory);
        kernels.release();
    }

    /** [columns, k] row-major in the product's type: torch's layout, the parts stacked. */
    private static MemorySegment plain(final Arena arena, final F32Tensor[] parts, final WeightFormat format)
    {
        final long count = parts[0].elementCount();
        final boolean bf16 = format == WeightFormat.BF16;
        final MemorySegment plain = arena.allocate(count * parts.length * (bf16 ? Short.BYTES : Float.BYTES), 64);
        for (int p = 0; p < parts.length; p++)
        {
            final MemorySegment data = parts[p].data();
            final long base = p * count;
            for (long i = 0; i < count; i++)
            {
                final float w = data.getAtIndex(F32Tensor.LE_FLOAT, i);
                if (bf16)
                {
                    plain.setAtIndex(SHORT, base + i, Bf16.fromFloat(w));
                }
                else
                {
                    plain.setAtIndex(FLOAT, base + i, w);
                }
            }
        }
        return plain;
    }

    private void reorder(
        final Arena arena, final MemorySegment out, final long plainMd, final MemorySegment plain,
        final MemorySegment packedMd, final long packedMemory)
    {
        final MemorySegment engine = library.engine();
        final long from = dnnl.memoryCreate(out, plainMd, engine.address(), plain.address());
        final MemorySegment pd = dnnl.reorderPd(out, MemorySegment.ofAddress(plainMd), packedMd, engine);
        final MemorySegment reorder = dnnl.primitiveCreate(out, pd);
        final MemorySegment stream = dnnl.streamCreate(out, engine);
        try
        {
            final MemorySegment args = arena.allocate(OneDnnConstants.EXEC_ARG_BYTES * 2, 8);
            OneDnnCall.setArg(args, 0, OneDnnConstants.ARG_FROM, from);
            OneDnnCall.setArg(args, 1, OneDnnConstants.ARG_TO, packedMemory);
            dnnl.execute(reorder.address(), stream.address(), 2, args);
            dnnl.streamWait(stream.address());
        }
        finally
        {
            dnnl.streamDestroy(stream);
            dnnl.primitiveDestroy(reorder);
            dnnl.pdDestroy(pd);
            dnnl.memoryDestroy(from);
        }
    }
}
