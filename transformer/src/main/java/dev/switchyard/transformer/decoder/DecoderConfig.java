package dev.switchyard.transformer.decoder;

import dev.switchyard.model.checkpoint.MoeFamily;

/**
 * What the decoder-only forward pass of a checkpoint needs from its config.json, with the defaults of
 * transformers 5.18's configuration class of the family (read by {@link DecoderConfigReader}).
 *
 * @param family       the model type
 * @param vocab        V, rows of {@code embed_tokens} and {@code lm_head}
 * @param d            hidden size
 * @param layers       decoder layers
 * @param heads        query heads H
 * @param kvHeads      key/value heads (grouped-query attention: H / kvHeads query heads share one)
 * @param headDim      width of one head
 * @param eps          RMSNorm epsilon ({@code rms_norm_eps})
 * @param ropeTheta    RoPE base (default rope type only)
 * @param tied         {@code lm_head} is {@code embed_tokens} ({@code tie_word_embeddings})
 * @param window       [layers]: the sliding window W of each layer (query i sees keys j, i − W &lt; j ≤ i),
 *                     0 where the layer attends to every earlier position
 * @param served       [layers]: the served-layer number of each sparse block, −1 for a dense MLP block
 * @param qkNorm       RMSNorm of the queries and keys before RoPE
 * @param qkvBias      q, k and v projections carry biases (Qwen2-MoE {@code qkv_bias}, {@code attention_bias})
 * @param outBias      the output projection carries a bias ({@code attention_bias} of Qwen3-MoE and OLMoE)
 * @param clipQkv      OLMoE's {@code clip_qkv}, or NaN where q, k and v are not clamped
 * @param intermediate width of the dense MLP blocks ({@code intermediate_size})
 */
public record DecoderConfig(
    MoeFamily family,
    int vocab,
    int d,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    double eps,
    double ropeTheta,
    boolean tied,
    int[] window,
    int[] served,
    QkNorm qkNorm,
    boolean qkvBias,
    boolean outBias,
    double clipQkv,
    int intermediate)
{
    /** Where a family normalizes queries and keys. */
    public enum QkNorm
    {
        /** No q/k norm (Mixtral, Qwen2-MoE). */
        NONE,
        /** Each head's [headDim] slice alone, one weight for every head (Qwen3-MoE). */
        PER_HEAD,
        /** The whole projection [H·headDim] and [kvHeads·headDim] (OLMoE). */
        WHOLE
    }
}
