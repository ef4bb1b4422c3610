package dev.switchyard.routing.gating;

/**
 * The U[0,1) draws of the {@code random} second policy: one per token, a pure function of
 * (seed, group ordinal, token index in the group), so a run is reproducible and a group gets the
 * same draws wherever it is routed. SplitMix64, no allocation.
 */
public final class GroupUniforms
{
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final float TWO_POW_MINUS_24 = 0x1.0p-24f;

    private GroupUniforms()
    {
    }

    /** out[0 .. tokens) ← uniforms of group {@code groupOrdinal}. */
    public static void fill(final long seed, final long groupOrdinal, final int tokens, final float[] out)
    {
        long state = mix64(seed ^ mix64(groupOrdinal * GOLDEN_GAMMA + GOLDEN_GAMMA));
        for (int t = 0; t < tokens; t++)
        {
            state += GOLDEN_GAMMA;
            // 24 random bits: every value is an exact float32 in [0, 1), as tf.random_uniform draws.
            out[t] = (int)(mix64(state) >>> 40) * TWO_POW_MINUS_24;
        }
    }

    private static long mix64(final long z0)
    {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
