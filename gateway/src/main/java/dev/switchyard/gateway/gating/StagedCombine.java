package dev.switchyard.gateway.gating;

import dev.switchyard.routing.plan.RoutingPlan;

/**
 * Adds a group's staged expert outputs into its output in a fixed order: per token its routed terms in
 * ascending expert index, then the shared expert's, each {@code (gate · scale) · row} added to a sum
 * starting at zero, as {@code CheckpointMoeLayer} adds them in process. With more than two terms a
 * float sum depends on its order, so the order of arrival (which replicas and the network decide)
 * must not be it: this is what makes a served answer the same bits as the local one.
 */
public final class StagedCombine
{
    private final int d;
    private final int[] order;  // [entries] scratch: a token's entries sorted by expert

    public StagedCombine(final int d, final int entries)
    {
        this.d = d;
        this.order = new int[entries];
    }

    /**
     * @param terms  [entries * G, d] row {@link RoutingPlan#slotIndex} of each assignment: its expert's output
     * @param routed routed experts: ids from here on are shared experts, whose weight is not scaled
     * @param scale  the factor on every routed weight (NLLB-MoE: 1 − moe_token_dropout)
     * @param y      [G, d] overwritten
     */
    public void combine(final RoutingPlan plan, final float[] terms, final int routed, final float scale,
        final float[] y)
    {
        final int entries = plan.entries();
        for (int t = 0; t < plan.tokens(); t++)
        {
            final int n = sortedEntries(plan, t, entries);
            final int dst = t * d;
            for (int j = 0; j < d; j++)
            {
                y[dst + j] = 0f;
            }
            for (int i = 0; i < n; i++)
            {
                final int e = plan.expert(t, order[i]);
                final float g = e < routed ? plan.gate(t, order[i]) * scale : plan.gate(t, order[i]);
                final int src = plan.slotIndex(e, plan.position(t, order[i])) * d;
                for (int j = 0; j < d; j++)
                {
                    final float term = g * terms[src + j];
                    y[dst + j] += term;
                }
            }
        }
    }

    /** Token t's kept entries into {@code order}, by ascending expert (insertion sort: k is at most 9). */
    private int sortedEntries(final RoutingPlan plan, final int t, final int entries)
    {
        int n = 0;
        for (int j = 0; j < entries; j++)
        {
            final int e = plan.expert(t, j);
            if (e == RoutingPlan.ABSENT)
            {
                continue;
            }
            int at = n++;
            while (at > 0 && plan.expert(t, order[at - 1]) > e)
            {
                order[at] = order[at - 1];
                at--;
            }
            order[at] = j;
        }
        return n;
    }
}
