package dev.switchyard.transformer.decoder;

import java.util.Arrays;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.TensorDtype;
import dev.switchyard.model.checkpoint.WeightTensor;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;

/** The dense tensors of a checkpoint, checked against the shape the config implies and widened to float32. */
final class DecoderTensors
{
    private final Checkpoint checkpoint;

    private final ComputeBackend backend;

    DecoderTensors(final Checkpoint checkpoint, final ComputeBackend backend)
    {
        this.checkpoint = checkpoint;
        this.backend = backend;
    }

    /**
     * The product of weight {@code name} [n, k] (and bias {@code bias} [n] where given), packed by the backend:
     * bfloat16 weights stay bfloat16 (half the bytes each decode step reads, the same values), fp8 weights with
     * block scales stay fp8 where the backend has fp8 kernels (the bits of their float32 values), others
     * float32.
     *
     * @throws BadInputException naming the tensor when it is missing or has another shape
     */
    DenseLinear linear(final String name, final String bias, final int n, final int k)
    {
        final F32Tensor b = bias == null ? null : f32(bias, n);
        final WeightTensor w = checked(name, n, k);
        return new DenseLinear(backend, w.blockScaled() ? backend.packBlockScaled(w, b) :
            backend.pack(w.toF32(), b, format(name)), Epilogue.NONE);
    }

    /** silu(x·gateᵀ) ⊙ (x·upᵀ): a SwiGLU MLP's first two products, computed together. */
    DenseLinear gated(final String gate, final String up, final int n, final int k)
    {
        final WeightTensor g = checked(gate, n, k);
        final WeightTensor u = checked(up, n, k);
        return new DenseLinear(backend, g.blockScaled() && u.blockScaled() ? backend.packGatedBlockScaled(g, u, null) :
            backend.packGated(g.toF32(), u.toF32(), null, format(gate) == format(up) ? format(gate) : WeightFormat.F32),
            Epilogue.SWIGLU);
    }


    private WeightFormat format(final String name)
    {
        return checkpoint.tensor(name).dtype() == TensorDtype.BF16 ? WeightFormat.BF16 : WeightFormat.F32;
    }

    private F32Tensor f32(final String name, final long... shape)
    {
        return checked(name, shape).toF32();
    }

    private WeightTensor checked(final String name, final long... shape)
    {
        final WeightTensor t = checkpoint.tensor(name);
        if (!Arrays.equals(t.shapeCopy(), shape))
        {
            throw new BadInputException("tensor " + name + " has shape " + t.shapeString() + "; the config implies " +
                Arrays.toString(shape));
        }
        return t;
    }

    /**
     * Tensor {@code name} in the given shape, widened exactly to float32 on the heap.
     *
     * @throws BadInputException naming the tensor when it is missing or has another shape
     */
    float[] load(final String name, final long... shape)
    {
        return checked(name, shape).toF32().toArray();
    }

    /** As {@link #load}, or null when {@code present} is false. */
    float[] optional(final boolean present, final String name, final long... shape)
    {
        return present ? load(name, shape) : null;
    }
}
