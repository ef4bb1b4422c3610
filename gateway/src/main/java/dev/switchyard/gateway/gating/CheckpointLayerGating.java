package dev.switchyard.gateway.gating;

import java.util.Arrays;

import dev.switchyard.compute.layer.CheckpointRouting;
import dev.switchyard.routing.family.DegradedRouting;
import dev.switchyard.routing.plan.RoutingPlan;

/**
 * A checkpoint family's routing of one served layer in the gateway (docs/contracts.md §9): the rule's k
 * entries per token in the rule's order, then the shared expert as one more entry with its scale
 * (Qwen2-MoE's sigmoid gate, 1 for DeepSeek). The shared expert is served like any expert, as expert
 * {@code E}: placed and replicated by placement, computed on an expert node, never here. Each expert's
 * block holds its tokens in group order; where a token has more than two terms they are staged and
 * added in ascending expert order, the shared term last ({@link StagedCombine}), as the in-process
 * layer adds them.
 */
public final class CheckpointLayerGating implements LayerGating
{
    private final CheckpointRouting routing;
    private final int routed;
    private final int k;
    private final boolean shared;
    private final int groupSize;
    private final int d;
    private final boolean[] unavailable;  // [E] scratch
    private final int[] choice;           // [G, k] scratch
    private final float[] weight;         // [G, k] scratch
    private final int[] filled;           // [E + shared] scratch: positions handed out

    /** @param groupSize tokens per group: what the gateway's groups hold at most */
    public CheckpointLayerGating(final CheckpointRouting routing, final int groupSize)
    {
        this.routing = routing;
        this.routed = routing.spec().experts();
        this.k = routing.k();
        this.shared = routing.spec().shared().present();
        this.groupSize = groupSize;
        this.d = routing.spec().dModel();
        this.unavailable = new boolean[routed];
        this.choice = new int[groupSize * k];
        this.weight = new float[groupSize * k];
        this.filled = new int[experts()];
    }

    /** Terms a token's output sums: its k routed experts, then its shared expert. */
    private int terms()
    {
        return k + (shared ? 1 : 0);
    }

    @Override
    public void route(final float[] x, final int xOffset, final int tokens, final float[] importance,
        final long ordinal, final boolean[] skip, final float[] scratch, final RoutingPlan plan)
    {
        // x [G, d] -> logits [G, E] -> choice, weight [G, k]
        routing.route(x, xOffset, tokens, scratch, choice, weight);
        if (skip != null)
        {
            System.arraycopy(skip, 0, unavailable, 0, routed);
            // The shared expert is never left out: its block waits for it.
            for (int e = routed; e < skip.length; e++)
            {
                skip[e] = false;
            }
            DegradedRouting.drop(unavailable, tokens, k, choice, weight);
        }
        fill(x, tokens, plan);
    }

    private void fill(final float[] x, final int tokens, final RoutingPlan plan)
    {
        plan.reset(tokens, tokens);
        Arrays.fill(filled, 0);
        final int entries = plan.entries();
        int droppedFirst = 0;
        int droppedLater = 0;
        for (int t = 0; t < tokens; t++)
        {
            for (int j = 0; j < k; j++)
            {
                final int e = choice[t * k + j];
                if (e >= 0)
                {
                    plan.assignEntry(t, j, e, filled[e]++, weight[t * k + j]);
                    plan.countSlot(e);
                }
                else
                {
                    plan.assignEntry(t, j, RoutingPlan.ABSENT, RoutingPlan.ABSENT, 0f);
                    droppedFirst += j == 0 ? 1 : 0;
                    droppedLater += j == 0 ? 0 : 1;
                }
            }
            int j = k;
            if (shared)
            {
                plan.assignEntry(t, j++, routed, filled[routed]++, routing.sharedScale(x, t * d));
                plan.countSlot(routed);
            }
            for (; j < entries; j++)
            {
                plan.assignEntry(t, j, RoutingPlan.ABSENT, RoutingPlan.ABSENT, 0f);
            }
        }
        plan.setStatistics(0.0, droppedFirst, droppedLater, 0, 0);
        plan.indexSlots();
    }

    @Override
    public int experts()
    {
        return routed + (shared ? 1 : 0);
    }

    @Override
    public int routedExperts()
    {
        return routed;
    }

    @Override
    public int entries()
    {
        return Math.max(2, terms());
    }

    /** A checkpoint family routes every token by its router alone. */
    @Override
    public boolean takesImportance()
    {
        return false;
    }

    @Override
    public int reportEntries()
    {
        return k;
    }

    @Override
    public int groupSize()
    {
        return groupSize;
    }

    @Override
    public boolean dropsLateExactly()
    {
        return routing.dropless();
    }

    /**
     * Two terms or fewer, unscaled (Mixtral's top-2, Switch): a + b = b + a, so replies are added as
     * they arrive, and the staging buffer (entries × G × d floats per group in flight) is not needed.
     */
    @Override
    public boolean stagedCombine()
    {
        return terms() > 2 || routing.termScale() != 1f;
    }

    @Override
    public float termScale()
    {
        return routing.termScale();
    }
}
