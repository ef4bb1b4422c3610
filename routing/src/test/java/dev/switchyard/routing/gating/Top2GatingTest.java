package dev.switchyard.routing.gating;

import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.routing.plan.DropCause;
import dev.switchyard.routing.plan.RoutingPlan;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hand-worked cases of the seed's semantics, one rule at a time. */
class Top2GatingTest
{
    private static RoutingConfig config(
        final double capacityFactor, final int minCapacity, final SecondPolicy policy, final double threshold,
        final Normalize normalize)
    {
        return new RoutingConfig(64, capacityFactor, minCapacity, policy, threshold, normalize, false, 0);
    }

    private static RoutingPlan route(final RoutingConfig cfg, final int experts, final float[] gates, final float[] imp)
    {
        final int tokens = gates.length / experts;
        final RoutingPlan plan = new RoutingPlan(tokens, experts);
        new Top2Gating(cfg, experts, tokens).route(gates, tokens, imp, 0, 0, plan);
        return plan;
    }

    @Test
    void capacityFollowsTheFormulaWithItsBounds()
    {
        assertEquals(32, config(2.0, 4, SecondPolicy.ALL, 0, Normalize.BEFORE_CAPACITY).capacity(128, 8));
        // floor(5·2/8) = 1, raised to min_capacity.
        assertEquals(4, config(2.0, 4, SecondPolicy.ALL, 0, Normalize.BEFORE_CAPACITY).capacity(5, 8));
        // min_capacity may exceed the group itself.
        assertEquals(4, config(2.0, 4, SecondPolicy.ALL, 0, Normalize.BEFORE_CAPACITY).capacity(3, 2));
        // min(G, ...) caps a large factor.
        assertEquals(10, config(8.0, 0, SecondPolicy.ALL, 0, Normalize.BEFORE_CAPACITY).capacity(10, 2));
    }

    @Test
    void tiesGoToTheLowestIndexForBothChoices()
    {
        final RoutingPlan p = route(config(2, 4, SecondPolicy.ALL, 0, Normalize.BEFORE_CAPACITY), 4,
            new float[] {0.1f, 0.3f, 0.3f, 0.3f}, null);
        assertEquals(1, p.expert1(0));
        assertEquals(2, p.expert2(0));
        assertEquals(0.5f, p.gate1(0), 1e-7f);
        assertEquals(0.5f, p.gate2(0), 1e-7f);
    }

    @Test
    void firstChoicesFillSlotsBeforeSecondChoicesAndOverflowIsDropped()
    {
        // Every token prefers expert 0 then 1; E = 2, G = 4, capacity floor(4·1/2) = 2.
        final float[] gates = {0.7f, 0.3f, 0.6f, 0.4f, 0.8f, 0.2f, 0.9f, 0.1f};
        final RoutingPlan p = route(config(1.0, 0, SecondPolicy.ALL, 0, Normalize.BEFORE_CAPACITY), 2, gates, null);
        assertEquals(2, p.capacity());
        assertEquals(0, p.expert1(0));
        assertEquals(0, p.position1(0));
        assertEquals(1, p.position1(1));
        assertEquals(-1, p.expert1(2));
        assertEquals(-1, p.position1(3));
        assertEquals(0f, p.gate1(3));
        // Expert 1 has no kept first choice, so second choices start at slot 0.
        assertEquals(1, p.expert2(0));
        assertEquals(0, p.position2(0));
        assertEquals(1, p.position2(1));
        assertEquals(-1, p.expert2(2));
        assertEquals(2, p.tokensWithoutExpert());
        assertEquals(2, p.droppedFirstByCapacity());
        assertEquals(2, p.droppedSecondByCapacity());
        // Canonical: gates were normalised before capacity, a drop does not move weight.
        assertEquals(0.7f / (0.7f + 0.3f + 1e-9f), p.gate1(0));
    }

    @Test
    void afterCapacityRenormalisesTheSurvivingGate()
    {
        final float[] gates = {0.7f, 0.3f, 0.6f, 0.4f, 0.8f, 0.2f};
        // G = 3, capacity max(1, min(3, floor(3·0.5/2))) = 1: token 1 loses its first choice.
        final RoutingPlan p = route(config(0.5, 1, SecondPolicy.ALL, 0, Normalize.AFTER_CAPACITY), 2, gates, null);
        assertEquals(1, p.capacity());
        assertEquals(-1, p.expert1(1));
        // Expert 1 has slot 0 taken by token 0's second choice; token 1's second choice is dropped too.
        assertEquals(1, p.expert2(0));
        assertEquals(-1, p.expert2(1));
        assertEquals(0.7f / (0.7f + 0.3f + 1e-9f), p.gate1(0));
    }

    @Test
    void canonicalImportanceSendsAHalfImportantTokenToItsTopExpertThroughTheSecondSlot()
    {
        final float[] gates = {0.6f, 0.3f, 0.1f, 0.2f, 0.5f, 0.3f, 0.5f, 0.4f, 0.1f};
        final RoutingPlan p = route(config(2, 4, SecondPolicy.ALL, 0, Normalize.BEFORE_CAPACITY), 3, gates,
            new float[] {0.5f, 0f, 1f});
        assertEquals(-1, p.expert1(0));
        assertEquals(0, p.expert2(0));
        assertEquals(1f, p.gate2(0));
        assertEquals(-1, p.expert1(1));
        assertEquals(-1, p.expert2(1));
        assertEquals(0, p.expert1(2));
        assertEquals(1, p.expert2(2));
        // Token 0's second choice sits after token 2's kept first choice of expert 0.
        assertEquals(0, p.position1(2));
        assertEquals(1, p.position2(0));
    }

    @Test
    void maxExpertsOfTheOlderVariantKeepsTheFirstChoiceOfAHalfImportantToken()
    {
        final float[] gates = {0.6f, 0.3f, 0.1f};
        final RoutingPlan p = route(config(2, 4, SecondPolicy.ALL, 0, Normalize.AFTER_CAPACITY), 3, gates,
            new float[] {0.5f});
        assertEquals(0, p.expert1(0));
        assertEquals(-1, p.expert2(0));
        assertEquals(0.6f / (0.6f + 0f + 1e-9f), p.gate1(0));
    }

    @Test
    void thresholdPolicyComparesTheNormalisedSecondGate()
    {
        // Normalised g₂ = 0.25/(0.75+0.25) = 0.25 > 0.2 keeps it; 0.15 does not pass 0.2.
        final float[] gates = {0.75f, 0.25f, 0f, 0.85f, 0.15f, 0f};
        final RoutingPlan p = route(config(2, 4, SecondPolicy.THRESHOLD, 0.2, Normalize.BEFORE_CAPACITY), 3, gates, null);
        assertEquals(1, p.expert2(0));
        assertEquals(-1, p.expert2(1));
        assertEquals(1, p.secondRemovedByPolicy());
    }

    @Test
    void randomPolicyIsReproducibleFromSeedAndGroupOrdinal()
    {
        final RoutingConfig cfg = new RoutingConfig(64, 2, 4, SecondPolicy.RANDOM, 0.9, Normalize.BEFORE_CAPACITY, false, 42);
        final int tokens = 64;
        final float[] gates = new float[tokens * 4];
        for (int t = 0; t < tokens; t++)
        {
            gates[t * 4] = 0.55f;
            gates[t * 4 + 1] = 0.35f;
            gates[t * 4 + 2] = 0.05f;
            gates[t * 4 + 3] = 0.05f;
        }
        final Top2Gating gating = new Top2Gating(cfg, 4, tokens);
        final RoutingPlan a = new RoutingPlan(tokens, 4);
        final RoutingPlan b = new RoutingPlan(tokens, 4);
        gating.route(gates, tokens, null, 0, 3, a);
        gating.route(gates, tokens, null, 0, 5, b);
        final RoutingPlan again = new RoutingPlan(tokens, 4);
        gating.route(gates, tokens, null, 0, 3, again);
        int differs = 0;
        for (int t = 0; t < tokens; t++)
        {
            assertEquals(a.expert2(t), again.expert2(t));
            differs += a.expert2(t) != b.expert2(t) ? 1 : 0;
        }
        // P(keep) = 0.389/0.9 ≈ 0.43 per token: two ordinals agreeing everywhere would mean no randomness.
        assertEquals(true, differs > 0, "draws depend on the group ordinal");
        assertEquals(true, a.secondRemovedByPolicy() > 0 && a.secondRemovedByPolicy() < tokens);
    }

    @Test
    void balancingLossAndDensitiesFollowTheSeed()
    {
        final float[] gates = {0.5f, 0.5f, 0.5f, 0.5f};
        final RoutingPlan p = route(config(2, 4, SecondPolicy.ALL, 0, Normalize.BEFORE_CAPACITY), 2, gates, null);
        // Ties send both first choices to expert 0: density₁ = [1, 0], proxy = [0.5, 0.5], loss = mean([0.5, 0])·4.
        assertEquals(1.0, p.auxLoss(), 1e-9);
        assertEquals(1f, p.density1(0));
        assertEquals(0f, p.density1(1));
        assertEquals(1f, p.density2(1));
    }

    @Test
    void dropsAreCountedPerExpertByCause()
    {
        // Every token prefers expert 0 then 1; E = 2, G = 4, capacity 2 (as above).
        final float[] gates = {0.7f, 0.3f, 0.6f, 0.4f, 0.8f, 0.2f, 0.9f, 0.1f};
        final RoutingPlan p = route(config(1.0, 0, SecondPolicy.ALL, 0, Normalize.BEFORE_CAPACITY), 2, gates, null);
        assertEquals(2, p.slotCount(0));
        assertEquals(2, p.slotCount(1));
        // Tokens 2 and 3 lose their first choice (expert 0) and their second (expert 1) to capacity.
        assertEquals(2, p.dropped(DropCause.FIRST_CAPACITY, 0));
        assertEquals(0, p.dropped(DropCause.FIRST_CAPACITY, 1));
        assertEquals(0, p.dropped(DropCause.SECOND_CAPACITY, 0));
        assertEquals(2, p.dropped(DropCause.SECOND_CAPACITY, 1));
        assertEquals(0, p.dropped(DropCause.SECOND_POLICY, 1));
        assertEquals(0, p.dropped(DropCause.IMPORTANCE, 0));
        // density₁ counts first choices before capacity: all four chose expert 0.
        assertEquals(1f, p.density1(0));
        assertEquals(1f, p.density2(1));
    }

    @Test
    void importanceAndPolicyDropsNameTheExpertTheChoiceWasFor()
    {
        // Token 0 (importance 0.5) loses its first choice, expert 0, and sends it through the second
        // slot; token 1 (importance 0) loses both: expert 1 first, then expert 1 again (its top gate
        // stays when the first choice is masked); token 2's second choice (expert 1, g₂ = 0.1/0.9 < 0.2)
        // fails the threshold; token 3 ties between experts 1 and 2 and keeps both (0.5 > 0.2).
        final float[] gates = {
            0.6f, 0.3f, 0.1f,
            0.2f, 0.5f, 0.3f,
            0.8f, 0.1f, 0.1f,
            0.0f, 0.5f, 0.5f};
        final RoutingPlan p = route(config(2, 4, SecondPolicy.THRESHOLD, 0.2, Normalize.BEFORE_CAPACITY), 3, gates,
            new float[] {0.5f, 0f, 1f, 1f});
        assertEquals(1, p.dropped(DropCause.IMPORTANCE, 0));
        assertEquals(2, p.dropped(DropCause.IMPORTANCE, 1));
        assertEquals(0, p.dropped(DropCause.IMPORTANCE, 2));
        assertEquals(1, p.dropped(DropCause.SECOND_POLICY, 1));
        assertEquals(0, p.dropped(DropCause.SECOND_POLICY, 2));
        assertEquals(3, p.maskedByImportance());
        assertEquals(1, p.secondRemovedByPolicy());
        // Kept: token 0 → 0 (second slot), token 2 → 0, token 3 → 1 and 2.
        assertEquals(2, p.slotCount(0));
        assertEquals(1, p.slotCount(1));
        assertEquals(1, p.slotCount(2));
    }

    @Test
    void anUnavailableExpertsDropsAreCountedAsUnavailableNotCapacity()
    {
        final float[] gates = {0.7f, 0.2f, 0.1f, 0.2f, 0.7f, 0.1f};
        final RoutingPlan p = new RoutingPlan(2, 3);
        new Top2Gating(config(2, 4, SecondPolicy.ALL, 0, Normalize.BEFORE_CAPACITY), 3, 2)
            .route(gates, 2, null, 0, 0, new boolean[] {false, true, false}, p);
        // Token 0's second choice and token 1's first choice were expert 1.
        assertEquals(2, p.dropped(DropCause.UNAVAILABLE, 1));
        assertEquals(0, p.dropped(DropCause.FIRST_CAPACITY, 1) + p.dropped(DropCause.SECOND_CAPACITY, 1));
        assertEquals(1, p.droppedFirstByCapacity());
        assertEquals(1, p.droppedSecondByCapacity());
        assertEquals(0, p.slotCount(1));
    }
}
