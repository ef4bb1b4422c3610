package dev.switchyard.cli;

import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.layer.LocalMoeLayer;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.routing.plan.RoutingRecord;
import dev.switchyard.routing.plan.TokenGroups;
import dev.switchyard.routing.tokens.TokenChecks;

/** A token sequence through one layer in this process, with its routing and timing. */
final class LocalInference
{
    record Result(float[] output, RoutingRecord routing, long computeNanos)
    {
    }

    private LocalInference()
    {
    }

    /**
     * @param x          [tokens, d_model]
     * @param importance [tokens] or null
     * @param progress   advanced per group, or null
     */
    static Result run(
        final ModelDirectory model,
        final int layer,
        final float[] x,
        final int tokens,
        final float[] importance,
        final ComputeOptions compute,
        final ProgressBar progress)
    {
        return run(model, layer, x, tokens, importance, null, compute, progress);
    }

    /** @param unavailable [E] experts computed as unreachable (capacity 0), or null for none */
    static Result run(
        final ModelDirectory model,
        final int layer,
        final float[] x,
        final int tokens,
        final float[] importance,
        final boolean[] unavailable,
        final ComputeOptions compute,
        final ProgressBar progress)
    {
        final int d = model.config().dModel();
        try (ComputePool pool = compute.pool())
        {
            final LocalMoeLayer moe = LocalMoeLayer.load(model, layer, compute.backend(pool), compute.weightFormat())
                .withUnavailable(unavailable);
            final TokenGroups groups = new TokenGroups(tokens, model.config().routing().groupSize());
            final RoutingRecord routing = new RoutingRecord(groups, model.config().numExperts());
            final float[] y = new float[tokens * d];
            final long start = System.nanoTime();
            moe.forward(x, tokens, importance, y, (group, plan) ->
            {
                routing.record(group, plan);
                if (progress != null)
                {
                    progress.update(group + 1L);
                }
            });
            final long computeNanos = System.nanoTime() - start;
            TokenChecks.requireFiniteOutputs(y, tokens, d, "the layer's outputs");
            return new Result(y, routing, computeNanos);
        }
    }
}
