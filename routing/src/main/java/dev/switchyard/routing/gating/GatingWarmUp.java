package dev.switchyard.routing.gating;

import java.util.SplittableRandom;

import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.routing.plan.RoutingPlan;

/**
 * Runs a layer's router and gating over generated groups, so that the JIT has compiled them before
 * a gateway takes its first request: in a fresh JVM the first groups otherwise run interpreted.
 * The results are discarded; nothing is kept but the compiled code.
 */
public final class GatingWarmUp
{
    private GatingWarmUp()
    {
    }

    public static void run(final GateFunction router, final RoutingConfig config, final int rounds)
    {
        final int g = config.groupSize();
        final int d = router.dModel();
        final int experts = router.experts();
        final float[] x = new float[g * d];           // [G, d]
        final float[] gates = new float[g * experts]; // [G, E]
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)random.nextGaussian();
        }
        final Top2Gating gating = new Top2Gating(config, experts, g);
        final RoutingPlan plan = new RoutingPlan(g, experts);
        for (int r = 0; r < rounds; r++)
        {
            router.gates(x, 0, g, gates);
            gating.route(gates, g, null, 0, r, plan);
        }
    }
}
