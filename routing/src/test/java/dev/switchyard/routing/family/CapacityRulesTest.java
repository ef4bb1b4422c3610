package dev.switchyard.routing.family;

import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CapacityRulesTest
{
    /** Token t: first choices 0, 0, 0, 2; second 1, 2, 1, 1; first probabilities t2 > t1 = t3 > t0. */
    private static final float[] NLLB_LOGITS = {2f, 1f, 0f, 3f, 0f, 1f, 4f, 2f, 0f, 0f, 1f, 3f};

    @Test
    void switchKeepsTheFirstTokensOfEachExpertInTokenOrder()
    {
        final float[] logits = {1f, 0f, 2f, 0f, 1f, 1f, 0f, 3f, 5f, 0f};
        final int[] expert = new int[5];
        final float[] gate = new float[5];
        RoutingRules.create(new SwitchParams(2, 2)).route(logits, 5, 2, expert, gate);
        // token 2 ties and goes to expert 0, which is then full
        assertArrayEquals(new int[] {0, 0, -1, 1, -1}, expert);
        assertEquals(DeepseekRulesTest.softmax(new float[] {1f, 0f})[0], gate[0], 1e-7);
        assertEquals(0f, gate[2]);
        assertEquals(DeepseekRulesTest.softmax(new float[] {0f, 3f})[1], gate[3], 1e-7);
        RoutingRules.create(new SwitchParams(2, 0)).route(logits, 5, 2, expert, gate);
        assertArrayEquals(new int[] {-1, -1, -1, -1, -1}, expert);
        assertArrayEquals(new float[5], gate);
    }

    @Test
    void nllbPrioritizedPlacesByFirstProbabilityAndRenormalizesAfterDropping()
    {
        final int[] expert = new int[8];
        final float[] gate = new float[8];
        RoutingRules.create(new NllbParams(3, 0.5, OptionalInt.empty(), false, true, "all"))
            .route(NLLB_LOGITS, 4, 3, expert, gate);
        // order t2, t1, t3, t0 (t1 and t3 tie: token order); capacity ceil(0.5 · 4) = 2
        assertArrayEquals(new int[] {-1, -1, 0, 2, 0, 1, 2, 1}, expert);
        assertPair(gate, 1, 1, 0, 2, 1.0);
        assertPair(gate, 2, 2, 0, 1, 1.0);
        assertPair(gate, 3, 3, 2, 1, 1.0);
        assertEquals(0f, gate[0]);
        assertEquals(0f, gate[1]);
    }

    @Test
    void nllbInTokenOrderNormalizedBeforeDroppingKeepsTheSharesOfBoth()
    {
        final int[] expert = new int[8];
        final float[] gate = new float[8];
        RoutingRules.create(new NllbParams(3, 0.5, OptionalInt.empty(), true, false, "all"))
            .route(NLLB_LOGITS, 4, 3, expert, gate);
        assertArrayEquals(new int[] {0, 1, 0, 2, -1, 1, 2, -1}, expert);
        final double[] p = DeepseekRulesTest.softmax(new float[] {4f, 2f, 0f});
        assertEquals(p[1] / (p[0] + p[1]), gate[5], 1e-6);
        assertEquals(0f, gate[4]);
        RoutingRules.create(new NllbParams(3, 0.5, OptionalInt.empty(), false, false, "all"))
            .route(NLLB_LOGITS, 4, 3, expert, gate);
        assertEquals(1f, gate[5], 1e-7f);
    }

    @Test
    void nllbCapacityFollowsTheFractionElseTheConfig()
    {
        assertEquals(8, new NllbParams(4, 0.3, OptionalInt.of(64), false, true, "all").capacity(24));
        assertEquals(64, new NllbParams(4, 0.0, OptionalInt.of(64), false, true, "all").capacity(24));
        assertEquals(12, new NllbParams(4, -1.0, OptionalInt.empty(), false, true, "all").capacity(24));
        final int[] expert = new int[4];
        final float[] gate = new float[4];
        RoutingRules.create(new NllbParams(3, 0.0, OptionalInt.of(0), false, true, "all"))
            .route(new float[] {1f, 0f, 0f, 0f, 0f, 1f}, 2, 3, expert, gate);
        assertArrayEquals(new int[] {-1, -1, -1, -1}, expert);
        assertArrayEquals(new float[4], gate);
    }

    private static void assertPair(final float[] gate, final int token, final int row, final int first,
                                   final int second, final double share)
    {
        final float[] logits = new float[3];
        System.arraycopy(NLLB_LOGITS, row * 3, logits, 0, 3);
        final double[] p = DeepseekRulesTest.softmax(logits);
        final double sum = p[first] + p[second];
        assertEquals(share * p[first] / sum, gate[2 * token], 1e-6, "token " + token);
        assertEquals(share * p[second] / sum, gate[2 * token + 1], 1e-6, "token " + token);
    }
}
