package dev.switchyard.model.checkpoint;

/**
 * One served layer (a sparse block) of a checkpoint, numbered 0, 1, ...: decoder-only models in
 * increasing {@code model.layers.{i}} order, encoder-decoder models the encoder's, then the decoder's.
 *
 * @param index          served-layer number (0, 1, ...)
 * @param prefix         the block's tensor prefix in the checkpoint ({@code model.layers.1.mlp},
 *                       Mixtral's {@code model.layers.1.block_sparse_moe}, Switch's
 *                       {@code encoder.block.1.layer.1.mlp}, ...)
 * @param dModel         d, the token width
 * @param intermediate   F, one expert's hidden width
 * @param experts        E, routed experts
 * @param topK           k, assignments per token
 * @param form           what an expert computes
 * @param fused          experts stored as {@code experts.gate_up_proj} [E, 2F, d] and
 *                       {@code experts.down_proj} [E, d, F] instead of one name per expert
 * @param routerWeight   the router's weight [E, d]
 * @param routerBias     the router's bias [E] (Switch/NLLB with {@code router_bias}), or null
 * @param scoreCorrectionBias DeepSeek-V3's {@code e_score_correction_bias} [E], or null
 */
public record MoeLayerSpec(
    int index,
    String prefix,
    int dModel,
    int intermediate,
    int experts,
    int topK,
    ExpertForm form,
    boolean fused,
    SharedExperts shared,
    RoutingParams routing,
    String routerWeight,
    String routerBias,
    String scoreCorrectionBias)
{
}
