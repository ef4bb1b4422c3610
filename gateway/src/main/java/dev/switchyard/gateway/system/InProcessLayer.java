package dev.switchyard.gateway.system;

import dev.switchyard.experts.compute.ComputeBackend;
import dev.switchyard.experts.network.ExpertNetwork;
import dev.switchyard.experts.compute.WeightFormat;
import dev.switchyard.router.config.ModelConfig;
import dev.switchyard.router.gating.RouterProjection;
import dev.switchyard.router.gating.Top2Gating;
import dev.switchyard.router.model.ModelDirectory;
import dev.switchyard.router.plan.Combine;
import dev.switchyard.router.plan.Dispatch;
import dev.switchyard.router.plan.RoutingPlan;
import dev.switchyard.router.plan.TokenGroups;

/**
 * One MoE layer in process, group by group, from the same parts the served system uses (router
 * projection, top-2 gating, dispatch, expert networks, combine): the {@code local} transport of
 * {@code bench layer}. Buffers are sized once; {@link #forward} allocates nothing.
 */
public final class InProcessLayer
{
    private final int d;
    private final int experts;
    private final int groupSize;
    private final RouterProjection router;
    private final Top2Gating gating;
    private final RoutingPlan plan;
    private final ExpertNetwork[] networks;
    private final float[] gates;  // [G, E]
    private final float[] block;  // [2G, d]
    private final float[] out;    // [2G, d]

    public InProcessLayer(final ModelDirectory model, final int layer, final ComputeBackend backend)
    {
        final ModelConfig config = model.config();
        d = config.dModel();
        experts = config.numExperts();
        groupSize = config.routing().groupSize();
        router = new RouterProjection(model.router(layer));
        gating = new Top2Gating(config.routing(), experts, groupSize);
        plan = new RoutingPlan(groupSize, experts);
        networks = new ExpertNetwork[experts];
        for (int e = 0; e < experts; e++)
        {
            networks[e] = ExpertNetwork.load(model.expert(layer, e), config.activation(), backend, WeightFormat.F32);
        }
        gates = new float[groupSize * experts];
        block = new float[2 * groupSize * d];
        out = new float[2 * groupSize * d];
    }

    /**
     * y = MoE(x) for {@code tokens} tokens in consecutive groups.
     *
     * @param x [tokens, d]
     * @param y [tokens, d] out
     */
    public void forward(final float[] x, final int tokens, final float[] importance, final float[] y)
    {
        final TokenGroups groups = new TokenGroups(tokens, groupSize);
        for (int i = 0; i < groups.count(); i++)
        {
            final int start = groups.start(i);
            final int n = groups.size(i);
            router.gates(x, start * d, n, gates);
            gating.route(gates, n, importance, start, i, plan);
            Combine.clear(y, start * d, n, d);
            for (int e = 0; e < experts; e++)
            {
                final int rows = plan.slotCount(e);
                if (rows > 0)
                {
                    Dispatch.gather(plan, e, x, start * d, d, block);
                    networks[e].forward(block, 0, rows, out, 0);
                    Combine.accumulate(plan, e, out, d, y, start * d);
                }
            }
        }
    }
}
