package dev.switchyard.routing.family;

/**
 * softmax → top-k, renormalized over the k when {@code normalize}: Mixtral always; Qwen2-MoE, Qwen3-MoE
 * and OLMoE by {@code norm_topk_prob}.
 *
 * @param experts   num_local_experts / num_experts
 * @param topK      num_experts_per_tok, 1 ≤ k ≤ E
 * @param normalize divide the k probabilities by their sum
 */
public record SoftmaxTopKParams(int experts, int topK, boolean normalize) implements RuleParams
{
    public SoftmaxTopKParams
    {
        ParamChecks.experts("num_experts", experts);
        ParamChecks.topK("num_experts_per_tok", topK, experts);
    }
}
