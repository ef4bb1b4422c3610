package dev.switchyard.routing.family;

/**
 * The degraded answer of docs/contracts.md §9, a step after routing: every assignment to an unavailable expert
 * becomes expert −1, gate 0.0; the other assignments keep their weights (no renormalization).
 */
public final class DegradedRouting
{
    private DegradedRouting()
    {
    }

    /**
     * @param unavailable [E] true for an expert that cannot be reached
     * @param expert      [tokens, k] routed experts, −1 where already dropped; changed in place
     * @param gate        [tokens, k] their gates; changed in place
     * @return the assignments dropped by this step
     */
    public static int drop(final boolean[] unavailable, final int tokens, final int k, final int[] expert,
                           final float[] gate)
    {
        final long entries = (long)tokens * k;
        if (tokens < 0 || k < 0 || entries > expert.length || entries > gate.length)
        {
            throw new IllegalArgumentException("expert and gate [" + tokens + ", " + k + "] need " + entries +
                " entries, got " + expert.length + " and " + gate.length);
        }
        int dropped = 0;
        for (int i = 0; i < (int)entries; i++)
        {
            final int e = expert[i];
            if (e >= unavailable.length)
            {
                throw new IllegalArgumentException(
                    "entry " + i + " names expert " + e + " of " + unavailable.length);
            }
            if (e >= 0 && unavailable[e])
            {
                expert[i] = -1;
                gate[i] = 0f;
                dropped++;
            }
        }
        return dropped;
    }
}
