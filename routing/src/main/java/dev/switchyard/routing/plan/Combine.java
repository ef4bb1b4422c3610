package dev.switchyard.routing.plan;

import java.util.Arrays;

/**
 * Combine: the weighted scatter of expert outputs back into token order, y[t] = Σ kept g·FFN_e(x[t]).
 * <p>
 * Every output starts at +0 and receives one product per kept assignment, a multiply then an add (never
 * a fused multiply-add). With at most two terms per token, IEEE addition commutes, so the result is
 * bit-identical whichever expert's block arrives first.
 */
public final class Combine
{
    private Combine()
    {
    }

    /** y[0 .. tokens) ← +0. */
    public static void clear(final float[] y, final int yOffset, final int tokens, final int d)
    {
        Arrays.fill(y, yOffset, yOffset + tokens * d, 0f);
    }

    /**
     * y[slotToken(e, s)] += slotGate(e, s) · out[s] for every filled slot s of expert e.
     *
     * @param expertOut [slotCount(e), d] the expert's output block, from 0
     * @param y         [G, d] the group's output rows, from yOffset
     */
    public static void accumulate(
        final RoutingPlan plan, final int expert, final float[] expertOut, final int d, final float[] y,
        final int yOffset)
    {
        accumulate(plan, expert, expertOut, 0, d, y, yOffset);
    }

    /** As {@link #accumulate(RoutingPlan, int, float[], int, float[], int)} with the block at outOffset. */
    public static void accumulate(
        final RoutingPlan plan,
        final int expert,
        final float[] expertOut,
        final int outOffset,
        final int d,
        final float[] y,
        final int yOffset)
    {
        final int slots = plan.slotCount(expert);
        for (int s = 0; s < slots; s++)
        {
            final float g = plan.slotGate(expert, s);
            final int dst = yOffset + plan.slotToken(expert, s) * d;
            final int src = outOffset + s * d;
            for (int j = 0; j < d; j++)
            {
                final float product = g * expertOut[src + j];
                y[dst + j] += product;
            }
        }
    }
}
