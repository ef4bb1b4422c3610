package dev.switchyard.routing.family;

import java.util.OptionalInt;

import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DegradedAndParamsTest
{
    @Test
    void unavailableExpertsAreDroppedAndTheOthersKeepTheirWeights()
    {
        final int[] expert = {0, 1, 2, -1, 1, 3};
        final float[] gate = {0.6f, 0.4f, 0.9f, 0f, 0.7f, 0.3f};
        assertEquals(2, DegradedRouting.drop(new boolean[] {false, true, false, false}, 3, 2, expert, gate));
        assertArrayEquals(new int[] {0, -1, 2, -1, -1, 3}, expert);
        assertArrayEquals(new float[] {0.6f, 0f, 0.9f, 0f, 0f, 0.3f}, gate);
    }

    @Test
    void degradedStepAfterARuleLeavesEveryOtherEntryAsRouted()
    {
        final RoutingRule rule = RoutingRules.create(new SoftmaxTopKParams(4, 2, true));
        final float[] logits = {3f, 2f, 1f, 0f, 0f, 1f, 2f, 3f};
        final int[] expert = new int[4];
        final float[] gate = new float[4];
        rule.route(logits, 2, 4, expert, gate);
        final int[] routed = expert.clone();
        final float[] routedGate = gate.clone();
        DegradedRouting.drop(new boolean[] {false, true, false, true}, 2, 2, expert, gate);
        for (int i = 0; i < 4; i++)
        {
            final boolean dropped = routed[i] == 1 || routed[i] == 3;
            assertEquals(dropped ? -1 : routed[i], expert[i]);
            assertEquals(dropped ? 0f : routedGate[i], gate[i]);
        }
    }

    @Test
    void badParametersNameTheirKey()
    {
        assertBad("num_experts_per_tok", () -> new SoftmaxTopKParams(4, 5, true));
        assertBad("num_experts", () -> new SoftmaxTopKParams(0, 1, true));
        assertBad("n_group", () -> new DeepseekV2Params(8, 2, DeepseekV2Params.Method.GROUP_LIMITED_GREEDY, 3, 1, 1f));
        assertBad("topk_group", () -> new DeepseekV2Params(8, 2, DeepseekV2Params.Method.GROUP_LIMITED_GREEDY, 4, 5, 1f));
        assertBad("topk_group", () -> new DeepseekV2Params(8, 3, DeepseekV2Params.Method.GROUP_LIMITED_GREEDY, 4, 1, 1f));
        assertBad("topk_method", () -> DeepseekV2Params.Method.of("noaux_tc"));
        assertBad("routed_scaling_factor", () -> new DeepseekV2Params(8, 2, DeepseekV2Params.Method.GREEDY, 1, 1,
            Float.NaN));
        assertBad("n_group", () -> new DeepseekV3Params(8, 2, 8, 2, true, 1f, new float[8]));
        assertBad("e_score_correction_bias", () -> new DeepseekV3Params(8, 2, 4, 2, true, 1f, new float[7]));
        assertBad("e_score_correction_bias[3]", () -> new DeepseekV3Params(8, 2, 4, 2, true, 1f,
            new float[] {0f, 0f, 0f, Float.POSITIVE_INFINITY, 0f, 0f, 0f, 0f}));
        assertBad("expert_capacity", () -> new SwitchParams(4, -1));
        assertBad("second_expert_policy", () -> new NllbParams(4, 0.3, OptionalInt.empty(), false, true, "sampling"));
        assertBad("moe_eval_capacity_token_fraction", () -> new NllbParams(4, Double.NaN, OptionalInt.empty(), false,
            true, "all"));
    }

    @Test
    void mismatchedArraysAreRefused()
    {
        final RoutingRule rule = RoutingRules.create(new SoftmaxTopKParams(4, 2, true));
        assertThrows(IllegalArgumentException.class, () -> rule.route(new float[8], 2, 5, new int[4], new float[4]));
        assertThrows(IllegalArgumentException.class, () -> rule.route(new float[7], 2, 4, new int[4], new float[4]));
        assertThrows(IllegalArgumentException.class, () -> rule.route(new float[8], 2, 4, new int[3], new float[4]));
    }

    @Test
    void theBiasIsCopiedIn()
    {
        final float[] bias = new float[4];
        final DeepseekV3Params params = new DeepseekV3Params(4, 1, 2, 1, true, 1f, bias);
        bias[0] = 5f;
        assertEquals(0f, params.correctionBias()[0]);
    }

    private static void assertBad(final String key, final Executable make)
    {
        final BadInputException e = assertThrows(BadInputException.class, make);
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
