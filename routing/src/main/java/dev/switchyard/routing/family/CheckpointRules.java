package dev.switchyard.routing.family;

import java.util.OptionalInt;

import dev.switchyard.model.checkpoint.MoeLayerSpec;
import dev.switchyard.model.checkpoint.RoutingParams;

/** The routing rule a served layer of a checkpoint states: its family and its config values. */
public final class CheckpointRules
{
    private CheckpointRules()
    {
    }

    /**
     * @param correctionBias [E] DeepSeek-V3's {@code e_score_correction_bias} of the layer; null for the others
     */
    public static RuleParams params(final MoeLayerSpec layer, final float[] correctionBias)
    {
        final int experts = layer.experts();
        final int k = layer.topK();
        return switch (layer.routing())
        {
            case RoutingParams.SoftmaxTopK p -> new SoftmaxTopKParams(experts, k, p.normTopkProb());
            case RoutingParams.DeepseekV2 p -> new DeepseekV2Params(experts, k,
                DeepseekV2Params.Method.of(p.topkMethod()), p.nGroup() == null ? 0 : p.nGroup(),
                p.topkGroup() == null ? 0 : p.topkGroup(), (float)p.routedScalingFactor());
            case RoutingParams.DeepseekV3 p -> new DeepseekV3Params(experts, k, p.nGroup(), p.topkGroup(),
                p.normTopkProb(), (float)p.routedScalingFactor(), correctionBias);
            case RoutingParams.Switch p -> new SwitchParams(experts, p.expertCapacity());
            case RoutingParams.Nllb p -> new NllbParams(experts, p.moeEvalCapacityTokenFraction(),
                OptionalInt.of(p.expertCapacity()), p.normalizeRouterProbBeforeDropping(),
                p.batchPrioritizedRouting(), p.secondExpertPolicy());
        };
    }

    public static RoutingRule create(final MoeLayerSpec layer, final float[] correctionBias)
    {
        return RoutingRules.create(params(layer, correctionBias));
    }
}
