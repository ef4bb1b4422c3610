package dev.switchyard.compute.kernel.scalar;

/** The activations written the plain way, in double precision: the reference the vector ones are tested on. */
public final class ScalarActivations
{
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private ScalarActivations()
    {
    }

    public static float relu(final float h)
    {
        return Math.max(h, 0.0f);
    }

    /**
     * Tanh approximation: 0.5·h·(1 + tanh(u)), u = √(2/π)·(h + 0.044715·h³), evaluated as h / (1 + e^(−2u)),
     * the same function without the cancellation of 1 + tanh(u) for very negative h.
     */
    public static float gelu(final float h)
    {
        final double v = h;
        final double u = SQRT_2_OVER_PI * (v + 0.044715 * v * v * v);
        return (float)(v / (1.0 + Math.exp(-2.0 * u)));
    }

    public static float silu(final float h)
    {
        final double v = h;
        return (float)(v / (1.0 + Math.exp(-v)));
    }
}
