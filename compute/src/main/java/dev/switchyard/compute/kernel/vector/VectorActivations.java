package dev.switchyard.compute.kernel.vector;

import dev.switchyard.model.tensor.ExactExp;
import jdk.incubator.vector.FloatVector;

/**
 * Pointwise activations on vectors, built only from IEEE-exact operations and {@link ExactExp}, so that
 * they give the same bits whatever the JIT's state. The native backend's epilogues use them too.
 */
public final class VectorActivations
{
    /** −2·√(2/π): h·σ(−GELU_K·(h + 0.044715·h³)) is the tanh-approximated GELU. */
    private static final float GELU_K = -1.5957691216057308f;
    private static final float GELU_K3 = GELU_K * 0.044715f;

    private VectorActivations()
    {
    }

    public static FloatVector relu(final FloatVector h)
    {
        return h.max(0.0f);
    }

    /** h·σ(h) = h / (1 + e^(−h)). */
    public static FloatVector silu(final FloatVector h)
    {
        return h.div(ExactExp.exp(h.neg()).add(1.0f));
    }

    /** h / (1 + e^(−2·√(2/π)·(h + 0.044715·h³))) = 0.5·h·(1 + tanh(√(2/π)·(h + 0.044715·h³))). */
    public static FloatVector gelu(final FloatVector h)
    {
        final FloatVector arg = h.mul(h).fma(GELU_K3, GELU_K).mul(h);
        return h.div(ExactExp.exp(arg).add(1.0f));
    }
}
