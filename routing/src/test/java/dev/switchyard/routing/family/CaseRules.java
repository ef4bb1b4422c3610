package dev.switchyard.routing.family;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchyard.model.checkpoint.Checkpoint;

/** The routing parameters of a fixture case's layer, read from its config.json as a checkpoint reader would. */
final class CaseRules
{
    private CaseRules()
    {
    }

    /**
     * @param folder the case folder
     * @param layer  the layer's entry of reference/layers.json
     */
    static RuleParams params(final Path folder, final JsonNode layer) throws IOException
    {
        final JsonNode c = CheckpointFixtures.json(folder.resolve("config.json"));
        final int experts = layer.get("experts").asInt();
        final int k = layer.get("top_k").asInt();
        return switch (c.get("model_type").asText())
        {
            case "mixtral" -> new SoftmaxTopKParams(experts, k, true);
            case "qwen2_moe", "qwen3_moe", "olmoe" -> new SoftmaxTopKParams(experts, k, c.get("norm_topk_prob").asBoolean());
            case "deepseek_v2" -> new DeepseekV2Params(experts, k, DeepseekV2Params.Method.of(c.get("topk_method").asText()),
                c.get("n_group").asInt(), c.get("topk_group").asInt(), (float)c.get("routed_scaling_factor").asDouble());
            case "deepseek_v3" -> new DeepseekV3Params(experts, k, c.get("n_group").asInt(), c.get("topk_group").asInt(),
                c.get("norm_topk_prob").asBoolean(), (float)c.get("routed_scaling_factor").asDouble(),
                correctionBias(folder, layer.get("prefix").asText()));
            case "switch_transformers" -> new SwitchParams(experts, c.get("expert_capacity").asInt());
            case "nllb-moe" -> new NllbParams(experts, c.get("moe_eval_capacity_token_fraction").asDouble(),
                c.hasNonNull("expert_capacity") ? OptionalInt.of(c.get("expert_capacity").asInt()) : OptionalInt.empty(),
                c.get("normalize_router_prob_before_dropping").asBoolean(), c.get("batch_prioritized_routing").asBoolean(),
                c.get("second_expert_policy").asText());
            default -> throw new IllegalStateException("no routing family for " + c.get("model_type"));
        };
    }

    private static float[] correctionBias(final Path folder, final String prefix)
    {
        try (Checkpoint checkpoint = Checkpoint.open(folder))
        {
            return checkpoint.tensor(prefix + ".gate.e_score_correction_bias").toF32().toArray();
        }
    }
}
