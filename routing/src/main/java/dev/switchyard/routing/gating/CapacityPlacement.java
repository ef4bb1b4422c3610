package dev.switchyard.routing.gating;

import java.util.Arrays;

import dev.switchyard.routing.plan.DropCause;
import dev.switchyard.routing.plan.RoutingPlan;

import static dev.switchyard.routing.plan.RoutingPlan.ABSENT;

/**
 * The capacity step of {@link Top2Gating}: first choices placed in token order, then second
 * choices after every kept first choice of their expert, each dropped past its expert's capacity
 * (0 for an expert that cannot be reached). It reads the choices {@link Top2Gating} wrote into the
 * arrays it shares with it, and clears the masks of the choices it drops.
 * <p>
 * Owned by one {@link Top2Gating}: it holds scratch arrays and allocates nothing per group.
 */
final class CapacityPlacement
{
    private final int experts;
    // [G], shared with the gating that owns this placement.
    private final int[] index1;
    private final float[] gate1;
    private final boolean[] mask1;
    private final int[] index2;
    private final float[] gate2;
    private final boolean[] mask2;
    // [E]
    private final int[] placed1;
    private final int[] placed2;
    private final int[] nextPosition1;

    CapacityPlacement(
        final int experts, final int[] index1, final float[] gate1, final boolean[] mask1, final int[] index2,
        final float[] gate2, final boolean[] mask2)
    {
        this.experts = experts;
        this.index1 = index1;
        this.gate1 = gate1;
        this.mask1 = mask1;
        this.index2 = index2;
        this.gate2 = gate2;
        this.mask2 = mask2;
        placed1 = new int[experts];
        placed2 = new int[experts];
        nextPosition1 = new int[experts];
    }

    /**
     * Places first choices in token order up to each expert's capacity, then leaves in
     * {@code placed1} the first choices each expert kept and clears {@code placed2}, for the second
     * choices that go after them.
     *
     * @return how many first choices capacity dropped
     */
    int placeFirstChoices(
        final int tokens, final int capacity, final boolean[] unavailable, final RoutingPlan out)
    {
        Arrays.fill(placed1, 0);
        int droppedFirst = 0;
        for (int t = 0; t < tokens; t++)
        {
            if (mask1[t])
            {
                if (placed1[index1[t]]++ >= capacityOf(index1[t], capacity, unavailable))
                {
                    mask1[t] = false;
                    droppedFirst++;
                    out.countDrop(capacityDrop(index1[t], DropCause.FIRST_CAPACITY, unavailable), index1[t]);
                }
            }
        }
        for (int e = 0; e < experts; e++)
        {
            placed1[e] = Math.min(placed1[e], capacityOf(e, capacity, unavailable));
            placed2[e] = 0;
        }
        return droppedFirst;
    }

    /**
     * Gives every kept first choice its position in token order and every second choice the next
     * position after all of its expert's first choices, drops the second choices past capacity,
     * renormalises after capacity when configured, and writes each token's assignment to the plan.
     *
     * @return how many second choices capacity dropped
     */
    int assignPositions(
        final int tokens, final int capacity, final boolean before, final boolean[] unavailable,
        final RoutingPlan out)
    {
        final int[] next1 = nextPosition1;
        Arrays.fill(next1, 0);
        int droppedSecond = 0;
        for (int t = 0; t < tokens; t++)
        {
            int e1 = ABSENT;
            int p1 = ABSENT;
            float g1 = 0f;
            if (mask1[t])
            {
                e1 = index1[t];
                p1 = next1[e1]++;
                g1 = gate1[t];
            }
            int e2 = ABSENT;
            int p2 = ABSENT;
            float g2 = 0f;
            if (mask2[t])
            {
                final int position = placed1[index2[t]] + placed2[index2[t]]++;
                if (position < capacityOf(index2[t], capacity, unavailable))
                {
                    e2 = index2[t];
                    p2 = position;
                    g2 = gate2[t];
                }
                else
                {
                    droppedSecond++;
                    out.countDrop(capacityDrop(index2[t], DropCause.SECOND_CAPACITY, unavailable), index2[t]);
                }
            }
            if (!before)
            {
                final float denom = g1 + g2 + Top2Gating.EPSILON;
                g1 = g1 / denom;
                g2 = g2 / denom;
            }
            assign(out, t, e1, p1, g1, e2, p2, g2);
        }
        return droppedSecond;
    }

    /** Writes token {@code t}'s assignment and counts the slots it takes. */
    private static void assign(
        final RoutingPlan out, final int t, final int e1, final int p1, final float g1, final int e2, final int p2,
        final float g2)
    {
        out.assign(t, e1, p1, g1, e2, p2, g2);
        if (e1 != ABSENT)
        {
            out.countSlot(e1);
        }
        if (e2 != ABSENT)
        {
            out.countSlot(e2);
        }
    }

    private static DropCause capacityDrop(final int expert, final DropCause cause, final boolean[] unavailable)
    {
        return unavailable != null && unavailable[expert] ? DropCause.UNAVAILABLE : cause;
    }

    private static int capacityOf(final int expert, final int capacity, final boolean[] unavailable)
    {
        return unavailable != null && unavailable[expert] ? 0 : capacity;
    }
}
