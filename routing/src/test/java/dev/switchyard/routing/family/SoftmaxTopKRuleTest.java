package dev.switchyard.routing.family;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoftmaxTopKRuleTest
{
    @Test
    void everyKUpToEightMatchesADoubleReference()
    {
        final SplittableRandom r = new SplittableRandom(3);
        for (int k = 1; k <= 8; k++)
        {
            for (final boolean normalize : new boolean[] {false, true})
            {
                final int experts = 8 + r.nextInt(60);
                final RoutingRule rule = RoutingRules.create(new SoftmaxTopKParams(experts, k, normalize));
                final int tokens = 200;
                final float[] logits = new float[tokens * experts];
                for (int i = 0; i < logits.length; i++)
                {
                    logits[i] = (float)(r.nextGaussian() * 2);
                }
                final int[] expert = new int[tokens * k];
                final float[] gate = new float[tokens * k];
                rule.route(logits, tokens, experts, expert, gate);
                for (int t = 0; t < tokens; t++)
                {
                    checkToken(Arrays.copyOfRange(logits, t * experts, (t + 1) * experts), k, normalize,
                        Arrays.copyOfRange(expert, t * k, t * k + k), Arrays.copyOfRange(gate, t * k, t * k + k));
                }
            }
        }
    }

    private static void checkToken(final float[] logits, final int k, final boolean normalize, final int[] expert,
                                   final float[] gate)
    {
        final int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (final float l : logits)
        {
            max = Math.max(max, l);
        }
        final double[] p = new double[n];
        double sum = 0;
        for (int e = 0; e < n; e++)
        {
            p[e] = Math.exp(logits[e] - max);
            sum += p[e];
        }
        final Integer[] order = new Integer[n];
        for (int e = 0; e < n; e++)
        {
            order[e] = e;
            p[e] /= sum;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer e) -> -p[e]).thenComparingInt(e -> e));
        double kept = 0;
        for (int j = 0; j < k; j++)
        {
            kept += p[order[j]];
        }
        for (int j = 0; j < k; j++)
        {
            assertEquals(order[j], expert[j], "entry " + j);
            final double want = normalize ? p[order[j]] / kept : p[order[j]];
            assertEquals(want, gate[j], 1e-6 * want + 1e-12, "entry " + j);
        }
    }

    @Test
    void equalLogitsGoToTheLowestIndicesInOrder()
    {
        final RoutingRule rule = RoutingRules.create(new SoftmaxTopKParams(6, 3, true));
        final int[] expert = new int[3];
        final float[] gate = new float[3];
        rule.route(new float[] {1f, 2f, 2f, 0f, 2f, 2f}, 1, 6, expert, gate);
        assertArrayEquals(new int[] {1, 2, 4}, expert);
        assertArrayEquals(new float[] {1f / 3, 1f / 3, 1f / 3}, gate, 1e-7f);
        rule.route(new float[] {5f, 5f, 5f, 5f, 5f, 5f}, 1, 6, expert, gate);
        assertArrayEquals(new int[] {0, 1, 2}, expert);
    }

    @Test
    void extremeFiniteLogitsGiveFiniteGatesAndTiesAtZero()
    {
        final RoutingRule rule = RoutingRules.create(new SoftmaxTopKParams(4, 2, false));
        final int[] expert = new int[4];
        final float[] gate = new float[4];
        rule.route(new float[] {3e38f, -3e38f, 0f, 2.9e38f, -Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE, 1f},
            2, 4, expert, gate);
        // the others' probabilities underflow to 0 and tie: the lowest index comes next
        assertArrayEquals(new int[] {0, 1, 3, 0}, expert);
        assertEquals(1f, gate[0]);
        assertEquals(0f, gate[1]);
        assertEquals(1f, gate[2]);
        assertEquals(0f, gate[3]);
    }

    @Test
    void kEqualToTheExpertsKeepsThemAll()
    {
        final RoutingRule rule = RoutingRules.create(new SoftmaxTopKParams(3, 3, true));
        final int[] expert = new int[3];
        final float[] gate = new float[3];
        rule.route(new float[] {0.5f, -1f, 2f}, 1, 3, expert, gate);
        assertArrayEquals(new int[] {2, 0, 1}, expert);
        float sum = 0f;
        for (final float g : gate)
        {
            assertTrue(g > 0f);
            sum += g;
        }
        assertEquals(1f, sum, 1e-6f);
    }
}
