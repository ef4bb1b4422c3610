package dev.switchyard.routing.family;

import java.util.Locale;

import dev.switchyard.wire.BadInputException;

/**
 * DeepSeek-V2's router: softmax, then {@code greedy} top-k or {@code group_limited_greedy} (the best
 * topk_group of n_group groups by their largest probability, the others masked with 0); the weights
 * are the probabilities times routed_scaling_factor, never renormalized (the 5.x modeling code reads no
 * norm_topk_prob here).
 *
 * @param experts             n_routed_experts
 * @param topK                num_experts_per_tok
 * @param method              topk_method
 * @param nGroup              n_group (read only by group_limited_greedy)
 * @param topkGroup           topk_group (read only by group_limited_greedy)
 * @param routedScalingFactor routed_scaling_factor, applied in float32
 */
public record DeepseekV2Params(int experts, int topK, Method method, int nGroup, int topkGroup,
                               float routedScalingFactor) implements RuleParams
{
    /** topk_method. */
    public enum Method
    {
        GREEDY,
        GROUP_LIMITED_GREEDY;

        /** The config's spelling: {@code greedy} or {@code group_limited_greedy}. */
        public static Method of(final String topkMethod)
        {
            return switch (topkMethod)
            {
                case "greedy" -> GREEDY;
                case "group_limited_greedy" -> GROUP_LIMITED_GREEDY;
                default -> throw new BadInputException(
                    "topk_method '" + topkMethod + "' is not one of 'greedy', 'group_limited_greedy'");
            };
        }

        public String configName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public DeepseekV2Params
    {
        ParamChecks.experts("n_routed_experts", experts);
        ParamChecks.topK("num_experts_per_tok", topK, experts);
        ParamChecks.finite("routed_scaling_factor", routedScalingFactor);
        if (method == null)
        {
            throw new BadInputException("topk_method is missing");
        }
        if (method == Method.GROUP_LIMITED_GREEDY)
        {
            ParamChecks.groups(experts, nGroup, topkGroup);
            ParamChecks.keptHoldTopK(topK, topkGroup, experts / nGroup);
        }
    }
}
