package dev.switchyard.node.system;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.layer.LocalMoeLayer;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.routing.plan.RoutingRecord;
import dev.switchyard.routing.plan.TokenGroups;

/** The in-process layer ({@code infer --local}'s LocalMoeLayer): the oracle of the tests. */
final class LocalReference
{
    record Result(float[] y, int[] expert, int[] position, float[] gate, int[] capacity)
    {
    }

    static Result run(final ModelDirectory model, final int layer, final float[] x, final int tokens,
        final float[] importance)
    {
        final ModelConfig config = model.config();
        final LocalMoeLayer moe = LocalMoeLayer.load(
            model, layer, ComputeBackends.vector(ComputePool.callerOnly()), WeightFormat.F32);
        final TokenGroups groups = new TokenGroups(tokens, config.routing().groupSize());
        final RoutingRecord record = new RoutingRecord(groups, config.numExperts());
        final float[] y = new float[tokens * config.dModel()];
        moe.forward(x, tokens, importance, y, record::record);
        final int[] expert = new int[2 * tokens];
        final int[] position = new int[2 * tokens];
        final float[] gate = new float[2 * tokens];
        for (int t = 0; t < tokens; t++)
        {
            expert[2 * t] = record.expert1()[t];
            expert[2 * t + 1] = record.expert2()[t];
            position[2 * t] = record.position1()[t];
            position[2 * t + 1] = record.position2()[t];
            gate[2 * t] = record.gate1()[t];
            gate[2 * t + 1] = record.gate2()[t];
        }
        return new Result(y, expert, position, gate, record.capacity());
    }

    private LocalReference()
    {
    }
}
