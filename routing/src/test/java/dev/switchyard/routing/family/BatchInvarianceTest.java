package dev.switchyard.routing.family;

import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A dropless rule routes a token alone to the same bits as inside 4096 random tokens. */
class BatchInvarianceTest
{
    private static final int TOKENS = 4096;

    @Test
    void droplessRulesRouteEachTokenAlone()
    {
        final SplittableRandom r = new SplittableRandom(7);
        final float[] bias = new float[64];
        for (int e = 0; e < bias.length; e++)
        {
            bias[e] = (float)(r.nextDouble() - 0.5);
        }
        final List<RuleParams> all = List.of(
            new SoftmaxTopKParams(8, 2, true), new SoftmaxTopKParams(60, 4, false), new SoftmaxTopKParams(64, 8, true),
            new DeepseekV2Params(64, 6, DeepseekV2Params.Method.GROUP_LIMITED_GREEDY, 8, 3, 16f),
            new DeepseekV2Params(17, 3, DeepseekV2Params.Method.GREEDY, 1, 1, 0.8f),
            new DeepseekV3Params(64, 8, 8, 4, true, 2.5f, bias));
        for (final RuleParams params : all)
        {
            final RoutingRule rule = RoutingRules.create(params);
            assertTrue(rule.dropless());
            final int e = params.experts();
            final int k = params.topK();
            final float[] logits = new float[TOKENS * e];
            for (int i = 0; i < logits.length; i++)
            {
                logits[i] = (float)(r.nextGaussian() * 3);
            }
            final int[] expert = new int[TOKENS * k];
            final float[] gate = new float[TOKENS * k];
            rule.route(logits, TOKENS, e, expert, gate);
            final RoutingRule alone = RoutingRules.create(params);
            final float[] one = new float[e];
            final int[] oneExpert = new int[k];
            final float[] oneGate = new float[k];
            for (int t = 0; t < TOKENS; t++)
            {
                System.arraycopy(logits, t * e, one, 0, e);
                alone.route(one, 1, e, oneExpert, oneGate);
                for (int j = 0; j < k; j++)
                {
                    assertEquals(expert[t * k + j], oneExpert[j], params + " token " + t);
                    assertEquals(Float.floatToRawIntBits(gate[t * k + j]), Float.floatToRawIntBits(oneGate[j]),
                        params + " token " + t);
                }
            }
        }
    }

    @Test
    void capacityRulesSayTheyAreNotDropless()
    {
        assertFalse(RoutingRules.create(new SwitchParams(4, 2)).dropless());
        assertFalse(RoutingRules.create(new NllbParams(4, 0.3, OptionalInt.empty(), false, true, "all")).dropless());
    }
}
