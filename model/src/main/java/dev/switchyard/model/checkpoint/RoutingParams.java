package dev.switchyard.model.checkpoint;

/**
 * The routing settings of a served layer as its family's config.json states them (absent keys take
 * the transformers configuration class's default). The routing rules that use them live elsewhere.
 */
public sealed interface RoutingParams
{
    /** One line naming the rule, for {@code model inspect}. */
    String describe();

    /** Tokens are capped per expert (Switch, NLLB); the other families are dropless. */
    default boolean capacityLimited()
    {
        return false;
    }

    /** Softmax → top-k → renormalize when {@code normTopkProb} (Mixtral: always). */
    record SoftmaxTopK(boolean normTopkProb) implements RoutingParams
    {
        @Override
        public String describe()
        {
            return "softmax top-k" + (normTopkProb ? ", renormalized" : "") + "; dropless";
        }
    }

    /** DeepSeek-V2: softmax, {@code greedy} or {@code group_limited_greedy}, weights × scaling. */
    record DeepseekV2(String topkMethod, Integer nGroup, Integer topkGroup, double routedScalingFactor)
        implements RoutingParams
    {
        @Override
        public String describe()
        {
            return "softmax " + topkMethod + (nGroup == null ? "" : " n_group=" + nGroup + " topk_group=" + topkGroup) +
                ", x" + routedScalingFactor + "; dropless";
        }
    }

    /** DeepSeek-V3 ({@code noaux_tc}): sigmoid scores + e_score_correction_bias, group top-2 sums. */
    record DeepseekV3(int nGroup, int topkGroup, boolean normTopkProb, double routedScalingFactor)
        implements RoutingParams
    {
        @Override
        public String describe()
        {
            return "sigmoid noaux_tc n_group=" + nGroup + " topk_group=" + topkGroup +
                (normTopkProb ? ", renormalized" : "") + ", x" + routedScalingFactor + "; dropless";
        }
    }

    /** Switch: top-1 of the softmax, at most {@code expertCapacity} tokens per expert per sequence. */
    record Switch(int expertCapacity) implements RoutingParams
    {
        @Override
        public String describe()
        {
            return "softmax top-1; capacity " + expertCapacity + " tokens per expert per sequence, in token order";
        }

        @Override
        public boolean capacityLimited()
        {
            return true;
        }
    }

    /**
     * NLLB-MoE's top-2 router in eval mode: capacity ceil(fraction · tokens of the group) when the
     * fraction is positive, else {@code expertCapacity}.
     */
    record Nllb(
        double moeEvalCapacityTokenFraction,
        int expertCapacity,
        boolean normalizeRouterProbBeforeDropping,
        boolean batchPrioritizedRouting,
        double moeTokenDropout,
        String secondExpertPolicy) implements RoutingParams
    {
        @Override
        public String describe()
        {
            final String capacity = moeEvalCapacityTokenFraction > 0
                ? "ceil(" + moeEvalCapacityTokenFraction + " x tokens of the group)"
                : expertCapacity + " tokens";
            return "top-2 (" + secondExpertPolicy + ")" +
                (normalizeRouterProbBeforeDropping ? ", normalized before dropping" : ", renormalized after dropping") +
                (batchPrioritizedRouting ? ", batch-prioritized" : "") + "; capacity " + capacity +
                " per expert; output x (1 - " + moeTokenDropout + ")";
        }

        @Override
        public boolean capacityLimited()
        {
            return true;
        }
    }
}
