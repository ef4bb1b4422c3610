package dev.switchyard.routing.family;

import dev.switchyard.wire.BadInputException;

/**
 * DeepSeek-V3's {@code noaux_tc} router.
 *
 * @param experts             n_routed_experts
 * @param topK                num_experts_per_tok
 * @param nGroup              n_group; each group holds at least 2 experts (its score is a top-2 sum)
 * @param topkGroup           topk_group
 * @param normalize           norm_topk_prob
 * @param routedScalingFactor routed_scaling_factor, applied in float32
 * @param correctionBias      [E] e_score_correction_bias of the layer (copied)
 */
public record DeepseekV3Params(int experts, int topK, int nGroup, int topkGroup, boolean normalize,
                               float routedScalingFactor, float[] correctionBias) implements RuleParams
{
    public DeepseekV3Params
    {
        ParamChecks.experts("n_routed_experts", experts);
        ParamChecks.topK("num_experts_per_tok", topK, experts);
        ParamChecks.finite("routed_scaling_factor", routedScalingFactor);
        ParamChecks.groups(experts, nGroup, topkGroup);
        if (experts / nGroup < 2)
        {
            throw new BadInputException("n_group " + nGroup + " leaves fewer than 2 of the " + experts +
                " experts per group; a group is scored by its top 2");
        }
        ParamChecks.keptHoldTopK(topK, topkGroup, experts / nGroup);
        if (correctionBias == null || correctionBias.length != experts)
        {
            throw new BadInputException("e_score_correction_bias must hold the " + experts + " experts, got " +
                (correctionBias == null ? "none" : correctionBias.length + " values"));
        }
        correctionBias = correctionBias.clone();
        for (int e = 0; e < experts; e++)
        {
            if (!Float.isFinite(correctionBias[e]))
            {
                throw new BadInputException("e_score_correction_bias[" + e + "] is " + correctionBias[e]);
            }
        }
    }

    /** [E] a copy. */
    @Override
    public float[] correctionBias()
    {
        return correctionBias.clone();
    }
}
