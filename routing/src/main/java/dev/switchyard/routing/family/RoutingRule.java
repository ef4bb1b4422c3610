package dev.switchyard.routing.family;

/**
 * The routing rule of one Hugging Face MoE family (docs/contracts.md §9 "Routing families"): router logits of
 * one group of tokens in, k (expert, gate) entries per token out.
 * <p>
 * Dropless rules ({@link #dropless()}) route each token alone: a token's entries are the same bits
 * whatever other tokens share the call (batch invariance). Capacity rules treat the call as one group
 * (Switch: one sequence; NLLB-MoE: the whole request); a dropped assignment is expert −1, gate 0.0.
 * <p>
 * A rule holds its scratch and allocates nothing per call once it has seen its largest group; an
 * instance serves one thread at a time. Logits are finite: NaN is refused before routing.
 */
public sealed interface RoutingRule permits SoftmaxTopKRule, DeepseekV2Rule, DeepseekV3Rule, SwitchTop1Rule,
    NllbTop2Rule
{
    /** Entries per token: top_k (Switch 1, NLLB-MoE 2). */
    int k();

    /** E, the routed experts. */
    int experts();

    /** True where each token is routed alone; false where the call is one capacity group. */
    boolean dropless();

    /**
     * Routes one group.
     *
     * @param logits  [tokens, experts] raw router logits, float32, from index 0
     * @param tokens  T
     * @param experts E, must equal {@link #experts()}
     * @param expert  [tokens, k] out: chosen experts, −1 where dropped
     * @param gate    [tokens, k] out: the weight each entry is applied with, 0.0 where dropped
     */
    void route(float[] logits, int tokens, int experts, int[] expert, float[] gate);
}
