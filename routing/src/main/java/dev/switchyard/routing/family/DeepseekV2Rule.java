package dev.switchyard.routing.family;

import dev.switchyard.routing.gating.Softmax;

/**
 * {@code DeepseekV2TopkRouter.forward}: scores = softmax(logits) in float32 ({@link Softmax}, exp by
 * {@code ExactExp}); group_limited_greedy scores each group by its largest probability, keeps the best
 * topk_group (ties to the lower group) and sets the other groups' scores to 0; then the top k; weight =
 * score × routed_scaling_factor.
 * <p>
 * Entry order: the reference calls {@code topk(sorted=False)}, whose order is unspecified; here the k
 * entries come in descending score, ties to the lowest index. Compare them with the reference as sets.
 */
public final class DeepseekV2Rule implements RoutingRule
{
    private final DeepseekV2Params params;
    private final boolean grouped;
    private final int groupSize;
    /** [E] one token's (masked) scores. */
    private final float[] scores;
    private final boolean[] taken;
    private final int[] chosen;
    /** [n_group] group maxima and the kept groups. */
    private final float[] groupScores;
    private final boolean[] groupTaken;
    private final int[] keptGroups;

    public DeepseekV2Rule(final DeepseekV2Params params)
    {
        this.params = params;
        this.grouped = params.method() == DeepseekV2Params.Method.GROUP_LIMITED_GREEDY;
        final int groups = grouped ? params.nGroup() : 1;
        this.groupSize = params.experts() / groups;
        this.scores = new float[params.experts()];
        this.taken = new boolean[params.experts()];
        this.chosen = new int[params.topK()];
        this.groupScores = new float[groups];
        this.groupTaken = new boolean[groups];
        this.keptGroups = new int[grouped ? params.topkGroup() : 1];
    }

    @Override
    public int k()
    {
        return params.topK();
    }

    @Override
    public int experts()
    {
        return params.experts();
    }

    @Override
    public boolean dropless()
    {
        return true;
    }

    @Override
    public void route(final float[] logits, final int tokens, final int experts, final int[] expert, final float[] gate)
    {
        RouteArgs.check(this, logits, tokens, experts, expert, gate);
        final int k = params.topK();
        for (int t = 0; t < tokens; t++)
        {
            System.arraycopy(logits, t * experts, scores, 0, experts);
            Softmax.inPlace(scores, 0, experts);
            if (grouped)
            {
                maskGroups();
            }
            TopK.select(scores, 0, experts, k, chosen, taken);
            for (int j = 0; j < k; j++)
            {
                expert[t * k + j] = chosen[j];
                gate[t * k + j] = scores[chosen[j]] * params.routedScalingFactor();
            }
        }
    }

    /** Keeps the topk_group groups with the largest maximum; the others' scores become 0 (masked_fill 0.0). */
    private void maskGroups()
    {
        final int groups = params.nGroup();
        for (int g = 0; g < groups; g++)
        {
            float max = scores[g * groupSize];
            for (int e = 1; e < groupSize; e++)
            {
                max = Math.max(max, scores[g * groupSize + e]);
            }
            groupScores[g] = max;
        }
        TopK.select(groupScores, 0, groups, params.topkGroup(), keptGroups, groupTaken);
        for (int g = 0; g < groups; g++)
        {
            if (!GroupMask.contains(keptGroups, g))
            {
                for (int e = 0; e < groupSize; e++)
                {
                    scores[g * groupSize + e] = 0f;
                }
            }
        }
    }
}
