package dev.switchyard.routing.family;

import dev.switchyard.model.tensor.ExactExp;

/**
 * {@code DeepseekV3TopkRouter.forward} ({@code noaux_tc}): scores = sigmoid(logits) in float32, as
 * 1 / (1 + exp(−x)) with {@link ExactExp}; the choice is made on scores + e_score_correction_bias: each
 * group is scored by the sum of its two largest, the best topk_group groups are kept (ties to the lower
 * group) and the others set to −∞, then the top k. The weights are the unbiased scores, divided by
 * their sum + 1e-20 with norm_topk_prob, then times routed_scaling_factor.
 * <p>
 * Entry order: the reference calls {@code topk(sorted=False)}; here the k entries come in descending
 * biased score, ties to the lowest index. Compare them with the reference as sets.
 */
public final class DeepseekV3Rule implements RoutingRule
{
    /** The reference's guard against a zero sum (a Python float, applied in float32). */
    private static final float NORM_EPSILON = 1e-20f;

    private final DeepseekV3Params params;
    private final float[] bias;
    private final int groupSize;
    /** [E] sigmoid scores and the biased, masked choice scores of one token. */
    private final float[] scores;
    private final float[] choice;
    private final boolean[] taken;
    private final int[] chosen;
    /** [n_group] top-2 sums and the kept groups. */
    private final float[] groupScores;
    private final boolean[] groupTaken;
    private final int[] keptGroups;

    public DeepseekV3Rule(final DeepseekV3Params params)
    {
        this.params = params;
        this.bias = params.correctionBias();
        this.groupSize = params.experts() / params.nGroup();
        this.scores = new float[params.experts()];
        this.choice = new float[params.experts()];
        this.taken = new boolean[params.experts()];
        this.chosen = new int[params.topK()];
        this.groupScores = new float[params.nGroup()];
        this.groupTaken = new boolean[params.nGroup()];
        this.keptGroups = new int[params.topkGroup()];
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
            for (int e = 0; e < experts; e++)
            {
                scores[e] = sigmoid(logits[t * experts + e]);
                choice[e] = scores[e] + bias[e];
            }
            maskGroups();
            TopK.select(choice, 0, experts, k, chosen, taken);
            float sum = 0f;
            for (int j = 0; j < k; j++)
            {
                sum += scores[chosen[j]];
            }
            final float denominator = sum + NORM_EPSILON;
            for (int j = 0; j < k; j++)
            {
                final float w = scores[chosen[j]];
                expert[t * k + j] = chosen[j];
                gate[t * k + j] = (params.normalize() ? w / denominator : w) * params.routedScalingFactor();
            }
        }
    }

    /** 1 / (1 + e^−x) in float32; ExactExp's clamp keeps it in (0, 1] for every finite x. */
    static float sigmoid(final float x)
    {
        return 1f / (1f + ExactExp.exp(-x));
    }

    /** Group score = sum of its two largest choice scores; groups outside the best topk_group become −∞. */
    private void maskGroups()
    {
        final int groups = params.nGroup();
        for (int g = 0; g < groups; g++)
        {
            float first = Float.NEGATIVE_INFINITY;
            float second = Float.NEGATIVE_INFINITY;
            for (int e = 0; e < groupSize; e++)
            {
                final float v = choice[g * groupSize + e];
                if (v > first)
                {
                    second = first;
                    first = v;
                }
                else if (v > second)
                {
                    second = v;
                }
            }
            groupScores[g] = first + second;
        }
        TopK.select(groupScores, 0, groups, params.topkGroup(), keptGroups, groupTaken);
        for (int g = 0; g < groups; g++)
        {
            if (!GroupMask.contains(keptGroups, g))
            {
                for (int e = 0; e < groupSize; e++)
                {
                    choice[g * groupSize + e] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }
}
