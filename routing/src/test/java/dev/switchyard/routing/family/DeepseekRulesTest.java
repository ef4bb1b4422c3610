package dev.switchyard.routing.family;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DeepseekRulesTest
{
    @Test
    void v3ChoosesOnBiasedGroupSumsAndWeighsUnbiasedScores()
    {
        // sigmoid(0) = 0.5 everywhere: the bias alone decides. Group sums: 1.0, 1.1, 1.3, 1.25.
        final float[] bias = {0f, 0f, 0.1f, 0f, 0f, 0.3f, 0.25f, 0f};
        final RoutingRule rule = RoutingRules.create(new DeepseekV3Params(8, 2, 4, 2, true, 2.5f, bias));
        final int[] expert = new int[2];
        final float[] gate = new float[2];
        rule.route(new float[8], 1, 8, expert, gate);
        assertArrayEquals(new int[] {5, 6}, expert);
        assertArrayEquals(new float[] {1.25f, 1.25f}, gate);
    }

    @Test
    void v3MasksWholeGroupsEvenOverAHigherExpert()
    {
        // expert 0 has the best biased score, but its group's top-2 sum (0.9 + 0.0) loses to groups 1 and 2
        final float[] bias = {0.9f, -0.5f, 0.3f, 0.3f, 0.25f, 0.25f};
        final RoutingRule rule = RoutingRules.create(new DeepseekV3Params(6, 3, 3, 2, false, 1f, bias));
        final int[] expert = new int[3];
        final float[] gate = new float[3];
        rule.route(new float[] {0f, 0f, 0f, 0f, 0f, 2f}, 1, 6, expert, gate);
        assertArrayEquals(new int[] {5, 2, 3}, expert);
        assertEquals(1 / (1 + Math.exp(-2)), gate[0], 1e-6);
        assertEquals(0.5f, gate[1], 1e-7f);
        assertEquals(0.5f, gate[2], 1e-7f);
    }

    @Test
    void v3SigmoidStaysInRangeAtExtremes()
    {
        assertEquals(1f, DeepseekV3Rule.sigmoid(3e38f));
        assertEquals(0.5f, DeepseekV3Rule.sigmoid(0f));
        final float low = DeepseekV3Rule.sigmoid(-3e38f);
        assertEquals(true, low >= 0f && low < 1e-37f, "sigmoid(-3e38) = " + low);
    }

    @Test
    void v2GroupLimitedKeepsTheGroupWithTheLargestMaximum()
    {
        final float[] logits = {3f, -5f, 2.5f, 2.4f};
        final double[] p = softmax(logits);
        final int[] expert = new int[2];
        final float[] gate = new float[2];
        RoutingRules.create(new DeepseekV2Params(4, 2, DeepseekV2Params.Method.GROUP_LIMITED_GREEDY, 2, 1, 1.7f))
            .route(logits, 1, 4, expert, gate);
        assertArrayEquals(new int[] {0, 1}, expert);
        assertEquals(p[0] * 1.7, gate[0], 1e-6 * gate[0]);
        assertEquals(p[1] * 1.7, gate[1], 1e-6 * gate[1]);
        RoutingRules.create(new DeepseekV2Params(4, 2, DeepseekV2Params.Method.GREEDY, 1, 1, 1.7f))
            .route(logits, 1, 4, expert, gate);
        assertArrayEquals(new int[] {0, 2}, expert);
        assertEquals(p[2] * 1.7, gate[1], 1e-6 * gate[1]);
    }

    @Test
    void v2NeverRenormalizes()
    {
        final float[] logits = {1f, 1f, 1f, 1f};
        final int[] expert = new int[2];
        final float[] gate = new float[2];
        RoutingRules.create(new DeepseekV2Params(4, 2, DeepseekV2Params.Method.GREEDY, 1, 1, 1f))
            .route(logits, 1, 4, expert, gate);
        assertArrayEquals(new int[] {0, 1}, expert);
        assertArrayEquals(new float[] {0.25f, 0.25f}, gate);
    }

    static double[] softmax(final float[] logits)
    {
        double max = Double.NEGATIVE_INFINITY;
        for (final float l : logits)
        {
            max = Math.max(max, l);
        }
        final double[] p = new double[logits.length];
        double sum = 0;
        for (int e = 0; e < p.length; e++)
        {
            p[e] = Math.exp(logits[e] - max);
            sum += p[e];
        }
        for (int e = 0; e < p.length; e++)
        {
            p[e] /= sum;
        }
        return p;
    }
}
