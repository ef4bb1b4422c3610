package dev.switchyard.compute.kernel;

import dev.switchyard.model.config.Activation;

/**
 * What a linear product does to each output as it stores it: add the bias (if the weights have one),
 * then apply a pointwise function. {@link #SWIGLU} needs weights packed with
 * {@link ComputeBackend#packGated}: it stores silu(gate) ⊙ (up + bias).
 */
public enum Epilogue
{
    /** Bias only: the expert's second product. */
    NONE,
    RELU,
    /** Tanh approximation, see {@link Activation#GELU}. */
    GELU,
    SILU,
    SWIGLU;

    /** The epilogue of an expert's first product. */
    public static Epilogue after(final Activation activation)
    {
        return switch (activation)
        {
            case RELU -> RELU;
            case GELU -> GELU;
            case SILU -> SILU;
            case SWIGLU -> SWIGLU;
        };
    }

    public boolean gated()
    {
        return this == SWIGLU;
    }
}
