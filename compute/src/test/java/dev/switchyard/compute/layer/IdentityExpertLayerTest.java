package dev.switchyard.compute.layer;

import java.nio.file.Path;
import java.util.SplittableRandom;

import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.routing.plan.RoutingPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A layer of identity experts computes y_t = (sum of t's kept gates) · x_t, drops included. */
class IdentityExpertLayerTest
{
    static final int D = 24;

    @TempDir
    Path dir;

    @Test
    void everyTokenComesBackScaledByItsKeptGates()
    {
        // Capacity 1.0 with 16 tokens over 4 experts: some first and second choices are dropped.
        final ModelConfig config = new ModelConfig(D, 40, 4, Activation.RELU, true,
            new RoutingConfig(16, 1.0, 1, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L));
        ModelGenerator.generate(dir, config, 1, 11);
        final int tokens = 45;
        final float[] x = new float[tokens * D];  // [T, d]
        final SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)random.nextGaussian();
        }
        final float[] y = new float[tokens * D];  // [T, d]
        final float[] kept = new float[tokens];    // [T]
        final int groupSize = config.routing().groupSize();
        try (ModelDirectory model = ModelDirectory.open(dir))
        {
            LocalMoeLayer.loadIdentity(model, 0).forward(x, tokens, null, y, (group, plan) ->
            {
                for (int t = 0; t < plan.tokens(); t++)
                {
                    kept[group * groupSize + t] = keptGates(plan, t);
                }
            });
        }
        int dropped = 0;
        int whole = 0;
        for (int t = 0; t < tokens; t++)
        {
            dropped += kept[t] == 0 ? 1 : 0;
            whole += Math.abs(kept[t] - 1) < 1e-6 ? 1 : 0;
            for (int c = 0; c < D; c++)
            {
                final float expected = kept[t] * x[t * D + c];
                assertEquals(expected, y[t * D + c], 1e-6f * (1 + Math.abs(expected)), "token " + t + " column " + c);
            }
        }
        assertTrue(dropped > 0 && whole > 0, "cases cover dropped and fully kept tokens: " + dropped + ", " + whole);
    }

    private static float keptGates(final RoutingPlan plan, final int t)
    {
        float sum = 0;
        if (plan.position1(t) != RoutingPlan.ABSENT)
        {
            sum += plan.gate1(t);
        }
        if (plan.position2(t) != RoutingPlan.ABSENT)
        {
            sum += plan.gate2(t);
        }
        return sum;
    }
}
