package dev.switchyard.model.config;

import java.util.Locale;

/**
 * The expert network's activation between its two products.
 * <ul>
 *   <li>{@link #RELU}: max(h, 0), the seed's.</li>
 *   <li>{@link #GELU}: the tanh approximation, 0.5·h·(1 + tanh(√(2/π)·(h + 0.044715·h³))), as in
 *       {@code gelu_new} / {@code approximate="tanh"}; computed as h·σ(2·√(2/π)·(h + 0.044715·h³)), the same
 *       function.</li>
 *   <li>{@link #SILU}: h·σ(h).</li>
 *   <li>{@link #SWIGLU}: silu(x·Wgᵀ) ⊙ (x·Wiᵀ + bi): {@code wg} is the gate (no bias), {@code wi} the up
 *       projection; the expert then has {@code experts.{e}.wg.weight} [d_ff, d_model].</li>
 * </ul>
 */
public enum Activation
{
    RELU,
    GELU,
    SILU,
    SWIGLU;

    public String configName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the expert has a gate product {@code wg} multiplied into the hidden activations. */
    public boolean gated()
    {
        return this == SWIGLU;
    }

    public static Activation fromConfigName(final String name)
    {
        for (final Activation a : values())
        {
            if (a.configName().equals(name))
            {
                return a;
            }
        }
        final StringBuilder names = new StringBuilder();
        for (final Activation a : values())
        {
            names.append(names.isEmpty() ? "" : ", ").append(a.configName());
        }
        throw new IllegalArgumentException("must be one of " + names + " (got '" + name + "')");
    }
}
