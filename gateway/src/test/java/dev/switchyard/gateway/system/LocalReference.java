package dev.switchyard.gateway.system;

import dev.switchyard.experts.actor.LoadedExpert;
import dev.switchyard.experts.actor.ModelExpertLoader;
import dev.switchyard.experts.compute.ComputeBackends;
import dev.switchyard.experts.compute.ComputePool;
import dev.switchyard.router.config.ModelConfig;
import dev.switchyard.router.gating.RouterProjection;
import dev.switchyard.router.gating.Top2Gating;
import dev.switchyard.router.model.ModelDirectory;
import dev.switchyard.router.plan.Combine;
import dev.switchyard.router.plan.Dispatch;
import dev.switchyard.router.plan.RoutingPlan;
import dev.switchyard.router.plan.TokenGroups;

/** The in-process layer, group by group, from the same parts the system uses: the oracle of the tests. */
final class LocalReference
{
    record Result(float[] y, int[] expert, int[] position, float[] gate, int[] capacity)
    {
    }

    static Result run(final ModelDirectory model, final int layer, final float[] x, final int tokens,
        final float[] importance)
    {
        final ModelConfig config = model.config();
        final int d = config.dModel();
        final int experts = config.numExperts();
        final int g = config.routing().groupSize();
        final RouterProjection router = new RouterProjection(model.router(layer));
        final Top2Gating gating = new Top2Gating(config.routing(), experts, g);
        final RoutingPlan plan = new RoutingPlan(g, experts);
        final ModelExpertLoader loader = new ModelExpertLoader(model, ComputeBackends.vector(ComputePool.callerOnly()));
        final LoadedExpert[] networks = new LoadedExpert[experts];
        for (int e = 0; e < experts; e++)
        {
            networks[e] = loader.load(layer, e);
        }
        final TokenGroups groups = new TokenGroups(tokens, g);
        final float[] y = new float[tokens * d];
        final int[] expert = new int[2 * tokens];
        final int[] position = new int[2 * tokens];
        final float[] gate = new float[2 * tokens];
        final int[] capacity = new int[groups.count()];
        final float[] gates = new float[g * experts];
        final float[] block = new float[2 * g * d];
        final float[] out = new float[2 * g * d];
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
            capacity[i] = plan.capacity();
            for (int t = 0; t < n; t++)
            {
                final int r = 2 * (start + t);
                expert[r] = plan.expert1(t);
                expert[r + 1] = plan.expert2(t);
                position[r] = plan.position1(t);
                position[r + 1] = plan.position2(t);
                gate[r] = plan.gate1(t);
                gate[r + 1] = plan.gate2(t);
            }
        }
        return new Result(y, expert, position, gate, capacity);
    }

    private LocalReference()
    {
    }
}
