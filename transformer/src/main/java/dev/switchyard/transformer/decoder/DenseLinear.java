package dev.switchyard.transformer.decoder;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.kernel.PackedLinear;

/**
 * One dense product of the decoder (an attention projection, a dense MLP, lm_head) computed by a compute
 * backend's kernels. The backend's contract is what keeps decoding batch-invariant: an output row depends on
 * its input row alone, never on how many rows share the call or which threads ran it.
 */
record DenseLinear(ComputeBackend backend, PackedLinear weights, Epilogue epilogue)
{
    /** y [rows, n] = epilogue(x [rows, k] · Wᵀ + b), overwritten. */
    void forward(final float[] x, final int rows, final float[] y)
    {
        backend.linear(weights, epilogue, x, 0, rows, y, 0);
    }
}
