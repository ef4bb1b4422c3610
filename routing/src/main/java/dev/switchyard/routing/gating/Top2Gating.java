package dev.switchyard.routing.gating;

import java.util.Arrays;

import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.routing.plan.DropCause;
import dev.switchyard.routing.plan.RoutingPlan;

import static dev.switchyard.routing.plan.RoutingPlan.ABSENT;

/**
 * Top-2 gating of Mesh TensorFlow ({@code _top_2_gating}) for one token group, in sparse form.
 * <p>
 * Follows the seed point by point (docs/contracts.md §3): lowest-index ties, importance or max_experts,
 * renormalisation before or after capacity, balancing loss (optionally with the second-place term)
 * computed before the second policy, first choices placed before second choices. Every float
 * operation on a gate is the float32 operation of the seed, in the seed's order, so that the dense
 * reference in the tests agrees bit for bit.
 * <p>
 * One instance per routing thread: it owns scratch arrays and allocates nothing per group.
 */
public final class Top2Gating
{
    /** Added to every renormalising denominator, as the seed does. */
    static final float EPSILON = 1e-9f;

    private final RoutingConfig config;
    private final int experts;
    private final int maxTokens;
    private final float threshold;
    private final float randomDivisor;

    // [G]
    private final int[] index1;
    private final int[] index2;
    private final float[] gate1;
    private final float[] gate2;
    private final boolean[] mask1;
    private final boolean[] mask2;
    private final float[] uniforms;
    // [E]
    private final float[] proxy1;
    private final float[] proxy2;
    private final int[] count1;
    private final int[] count2;
    private final int[] countBeforePolicy2;
    private final CapacityPlacement placement;

    public Top2Gating(final RoutingConfig config, final int experts, final int maxTokens)
    {
        if (experts < 2)
        {
            throw new IllegalArgumentException("top-2 gating needs at least 2 experts, got " + experts);
        }
        this.config = config;
        this.experts = experts;
        this.maxTokens = maxTokens;
        this.threshold = (float)config.secondThreshold();
        this.randomDivisor = (float)Math.max(config.secondThreshold(), 1e-9);
        index1 = new int[maxTokens];
        index2 = new int[maxTokens];
        gate1 = new float[maxTokens];
        gate2 = new float[maxTokens];
        mask1 = new boolean[maxTokens];
        mask2 = new boolean[maxTokens];
        uniforms = new float[maxTokens];
        proxy1 = new float[experts];
        proxy2 = new float[experts];
        count1 = new int[experts];
        count2 = new int[experts];
        countBeforePolicy2 = new int[experts];
        placement = new CapacityPlacement(experts, index1, gate1, mask1, index2, gate2, mask2);
    }

    public RoutingConfig config()
    {
        return config;
    }

    public int experts()
    {
        return experts;
    }

    /**
     * Routes one group.
     *
     * @param gates            [tokens, E] softmax gates (see {@link GateFunction})
     * @param tokens           G of this group (the last group of a request may be short)
     * @param importance       [tokens] at importanceOffset, or null for all 1.0
     * @param importanceOffset where this group's importance starts
     * @param groupOrdinal     seeds the {@code random} policy's draws for this group
     * @param out              receives the plan
     */
    public void route(
        final float[] gates,
        final int tokens,
        final float[] importance,
        final int importanceOffset,
        final long groupOrdinal,
        final RoutingPlan out)
    {
        route(gates, tokens, importance, importanceOffset, groupOrdinal, null, out);
    }

    /**
     * Routes one group as if the experts marked in {@code unavailable} had capacity 0 (a degraded
     * answer, docs/contracts.md §3): every assignment to them is dropped at the capacity step; every other
     * assignment, position and the balancing loss are what they would be with all experts, and
     * {@code after_capacity} renormalises the survivors with the dropped gate as 0. Such drops count
     * as capacity drops in the group's totals, and as {@link DropCause#UNAVAILABLE} per expert.
     *
     * @param unavailable [E], true for an expert that cannot be reached; null for none
     */
    public void route(
        final float[] gates,
        final int tokens,
        final float[] importance,
        final int importanceOffset,
        final long groupOrdinal,
        final boolean[] unavailable,
        final RoutingPlan out)
    {
        if (tokens < 1 || tokens > maxTokens)
        {
            throw new IllegalArgumentException("group of " + tokens + " tokens, gating holds 1.." + maxTokens);
        }
        if (out.experts() != experts)
        {
            throw new IllegalArgumentException("plan has " + out.experts() + " experts, gating " + experts);
        }
        final int capacity = config.capacity(tokens, experts);
        final boolean before = config.normalize() == Normalize.BEFORE_CAPACITY;
        final boolean secondLoss = config.secondPlaceLoss();
        Arrays.fill(proxy1, 0f);
        Arrays.fill(proxy2, 0f);
        Arrays.fill(count1, 0);
        Arrays.fill(countBeforePolicy2, 0);
        // Clears the plan's drop counts too: every drop below is counted against the expert it was meant for.
        out.reset(tokens, capacity);
        int masked = 0;
        for (int t = 0; t < tokens; t++)
        {
            final float imp = importance == null ? 1f : importance[importanceOffset + t];
            masked += chooseTopTwo(gates, t, imp, before, secondLoss, out);
        }
        // The balancing loss is taken before the second policy, as the seed does.
        final double auxLoss = balancingLoss(tokens, secondLoss);
        final int removedByPolicy = applySecondPolicy(tokens, groupOrdinal, out);
        writeDensities(tokens, out);
        final int droppedFirst = placement.placeFirstChoices(tokens, capacity, unavailable, out);
        final int droppedSecond = placement.assignPositions(tokens, capacity, before, unavailable, out);
        out.indexSlots();
        out.setStatistics(auxLoss, droppedFirst, droppedSecond, removedByPolicy, masked);
    }

    /**
     * Finds token {@code t}'s top 2 experts, applies its importance (before_capacity: importance 1
     * keeps the first choice, above 0 the second; after_capacity: max_experts is 2 at importance 1,
     * 1 in (0, 1) and above 1, 0 at or below 0), adds it to the balancing proxies and, before
     * capacity, renormalises its two gates.
     *
     * @return how many of its two choices importance masked
     */
    private int chooseTopTwo(
        final float[] gates, final int t, final float imp, final boolean before, final boolean secondLoss,
        final RoutingPlan out)
    {
        final int row = t * experts;
        final boolean keep1 = before ? imp == 1f : imp > 0f;
        final boolean keep2 = before ? imp > 0f : imp == 1f;
        final int i1 = firstChoice(gates, row);
        // gates_without_top_1 = raw_gates * (1 - mask_1): the first choice is removed only where
        // it survived importance in before_capacity, and always in after_capacity (masked later).
        final int removed = (keep1 || !before) ? i1 : ABSENT;
        final int i2 = secondChoice(gates, row, removed);
        float g1 = gates[row + i1];
        float g2 = i2 == removed ? 0f : gates[row + i2];
        int masked = 0;
        if (keep1)
        {
            for (int e = 0; e < experts; e++)
            {
                proxy1[e] += gates[row + e];
            }
            count1[i1]++;
        }
        else
        {
            masked++;
            out.countDrop(DropCause.IMPORTANCE, i1);
            if (before)
            {
                g1 = 0f;
            }
        }
        if (keep2)
        {
            countBeforePolicy2[i2]++;
        }
        else
        {
            masked++;
            out.countDrop(DropCause.IMPORTANCE, i2);
        }
        // The second-place proxy is masked by max_experts (after_capacity) but not by importance.
        if (secondLoss && (keep2 || before))
        {
            addSecondPlaceProxy(gates, row, removed);
        }
        if (before)
        {
            final float denom = g1 + g2 + EPSILON;
            g1 = g1 / denom;
            g2 = g2 / denom;
        }
        index1[t] = i1;
        index2[t] = i2;
        gate1[t] = g1;
        gate2[t] = g2;
        mask1[t] = keep1;
        mask2[t] = keep2;
        return masked;
    }

    /** The expert of the row's largest gate, the lowest index on a tie. */
    private int firstChoice(final float[] gates, final int row)
    {
        int i1 = 0;
        float g1 = gates[row];
        for (int e = 1; e < experts; e++)
        {
            if (gates[row + e] > g1)
            {
                i1 = e;
                g1 = gates[row + e];
            }
        }
        return i1;
    }

    /**
     * The expert of the row's largest gate with {@code removed}'s gate taken as 0 (none removed:
     * {@link RoutingPlan#ABSENT}), the lowest index on a tie; its gate is 0 when it is {@code removed}.
     */
    private int secondChoice(final float[] gates, final int row, final int removed)
    {
        int i2 = 0;
        float g2 = removed == 0 ? 0f : gates[row];
        for (int e = 1; e < experts; e++)
        {
            final float v = e == removed ? 0f : gates[row + e];
            if (v > g2)
            {
                i2 = e;
                g2 = v;
            }
        }
        return i2;
    }

    /** Adds the row's gates without its first choice, normalised to sum 1, to the second-place proxy. */
    private void addSecondPlaceProxy(final float[] gates, final int row, final int removed)
    {
        float sum = 0f;
        for (int e = 0; e < experts; e++)
        {
            sum += e == removed ? 0f : gates[row + e];
        }
        final float denom = sum + EPSILON;
        for (int e = 0; e < experts; e++)
        {
            proxy2[e] += (e == removed ? 0f : gates[row + e]) / denom;
        }
    }

    /**
     * Applies the second policy to every second choice importance kept, counting the kept ones per
     * expert in {@code count2}.
     *
     * @return how many second choices the policy removed
     */
    private int applySecondPolicy(final int tokens, final long groupOrdinal, final RoutingPlan out)
    {
        final SecondPolicy policy = config.secondPolicy();
        if (policy == SecondPolicy.RANDOM)
        {
            GroupUniforms.fill(config.randomSeed(), groupOrdinal, tokens, uniforms);
        }
        int removedByPolicy = 0;
        Arrays.fill(count2, 0);
        for (int t = 0; t < tokens; t++)
        {
            if (!mask2[t])
            {
                continue;
            }
            final boolean keep = switch (policy)
            {
                case ALL -> true;
                case NONE -> false;
                case THRESHOLD -> gate2[t] > threshold;
                case RANDOM -> uniforms[t] < gate2[t] / randomDivisor;
            };
            if (keep)
            {
                count2[index2[t]]++;
            }
            else
            {
                mask2[t] = false;
                removedByPolicy++;
                out.countDrop(DropCause.SECOND_POLICY, index2[t]);
            }
        }
        return removedByPolicy;
    }

    /** The plan's densities: the share of the group's tokens whose first (second) choice is each expert. */
    private void writeDensities(final int tokens, final RoutingPlan out)
    {
        final float[] density1 = out.density1Array();
        final float[] density2 = out.density2Array();
        for (int e = 0; e < experts; e++)
        {
            density1[e] = (float)count1[e] / tokens;
            density2[e] = (float)count2[e] / tokens;
        }
    }

    // loss = mean_e(proxy₁·density₁)·E², + 0.5·mean_e(proxy₂·density₂)·E² with the second-place term.
    private double balancingLoss(final int tokens, final boolean secondLoss)
    {
        final double e2 = (double)experts * experts;
        double sum1 = 0;
        double sum2 = 0;
        for (int e = 0; e < experts; e++)
        {
            sum1 += ((double)proxy1[e] / tokens) * ((double)count1[e] / tokens);
            sum2 += ((double)proxy2[e] / tokens) * ((double)countBeforePolicy2[e] / tokens);
        }
        double loss = sum1 / experts * e2;
        if (secondLoss)
        {
            loss += 0.5 * (sum2 / experts * e2);
        }
        return loss;
    }
}
