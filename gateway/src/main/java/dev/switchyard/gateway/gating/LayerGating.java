package dev.switchyard.gateway.gating;

import dev.switchyard.routing.plan.RoutingPlan;

/**
 * How the gateway routes one layer's token groups: the seed's top-2 gating of Mesh TensorFlow for
 * Switchyard's own models ({@link SeedLayerGating}), or a checkpoint family's rule with its shared
 * experts ({@link CheckpointLayerGating}). Called on the gateway's thread only; an implementation
 * owns its scratch.
 */
public interface LayerGating
{
    /**
     * Routes a group into {@code plan}.
     *
     * @param x          [G, d] the group's tokens, rows {@code 0 .. tokens}
     * @param importance [G] or null
     * @param ordinal    the group's ordinal (seeds the seed's random policy)
     * @param skip       [experts] experts to route as unavailable, or null; an implementation clears
     *                   the flags of experts it never leaves out (shared experts), so that the
     *                   answer does not name them
     * @param scratch    [G, experts] scratch for gates or logits
     */
    default void route(final float[] x, final int tokens, final float[] importance, final long ordinal,
        final boolean[] skip, final float[] scratch, final RoutingPlan plan)
    {
        route(x, 0, tokens, importance, ordinal, skip, scratch, plan);
    }

    /**
     * As above, the group's tokens being rows {@code 0 .. tokens} of x from element {@code xOffset}:
     * a group of one request's rows is routed where the request holds them.
     */
    void route(float[] x, int xOffset, int tokens, float[] importance, long ordinal, boolean[] skip,
        float[] scratch, RoutingPlan plan);

    /** Experts the plan addresses: routed ones, then shared ones (served as experts of their own). */
    int experts();

    /** Routed experts: ids {@code 0 .. routedExperts()}; ids past them are shared experts. */
    int routedExperts();

    /** Assignments a token can hold in the plan. */
    int entries();

    /** Whether a request's per-token importance changes the routing (the seed's); else it is refused. */
    boolean takesImportance();

    /** Each layer's {@link #reportEntries()}, [layers]. */
    static int[] reportEntries(final LayerGating[] gatings)
    {
        final int[] entries = new int[gatings.length];
        for (int l = 0; l < gatings.length; l++)
        {
            entries[l] = gatings[l].reportEntries();
        }
        return entries;
    }

    /** Entries per token in an answer's routing report: 2 for the seed, a family's k (shared experts not named). */
    int reportEntries();

    /** Tokens per group, for the routing metrics. */
    int groupSize();

    /**
     * Whether an expert's assignments may be dropped once the group's blocks are out, as routing
     * without it would have: true where no other assignment depends on it.
     */
    boolean dropsLateExactly();

    /**
     * Whether a token's terms must be added in the order of {@link StagedCombine} (ascending expert,
     * shared experts last) once every block is back: more than two terms per token do not commute.
     * False: each reply is added as it arrives.
     */
    boolean stagedCombine();

    /** The factor on every routed weight before its product (NLLB-MoE: 1 − moe_token_dropout). */
    float termScale();
}
