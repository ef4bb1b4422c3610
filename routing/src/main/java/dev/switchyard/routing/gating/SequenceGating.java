package dev.switchyard.routing.gating;

import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.routing.plan.RoutingRecord;
import dev.switchyard.routing.plan.TokenGroups;

/**
 * The routing of a whole token sequence without computing any expert: gates and plans group by group,
 * with the group's index in the sequence as its ordinal, exactly as the in-process layer routes it.
 * Cheap next to the experts; used to summarise and check traffic that experts compute elsewhere.
 */
public final class SequenceGating
{
    private SequenceGating()
    {
    }

    /**
     * @param x          [tokens, d]
     * @param importance [tokens] or null
     */
    public static RoutingRecord route(
        final GateFunction router, final RoutingConfig config, final float[] x, final int tokens,
        final float[] importance)
    {
        final int experts = router.experts();
        final TokenGroups groups = new TokenGroups(tokens, config.groupSize());
        final RoutingRecord record = new RoutingRecord(groups, experts);
        final Top2Gating gating = new Top2Gating(config, experts, config.groupSize());
        final RoutingPlan plan = new RoutingPlan(config.groupSize(), experts);
        final float[] gates = new float[config.groupSize() * experts];
        for (int g = 0; g < groups.count(); g++)
        {
            router.gates(x, groups.start(g) * router.dModel(), groups.size(g), gates);
            gating.route(gates, groups.size(g), importance, groups.start(g), g, plan);
            record.record(g, plan);
        }
        return record;
    }
}
