package dev.switchyard.model.directory;

import dev.switchyard.model.tensor.F32Tensor;

/**
 * One expert's tensors, torch {@code Linear} orientation (out x in), usually views of a mapped file.
 *
 * @param wi      [d_ff, d_model] first product
 * @param wiBias  [d_ff], or null without {@code expert_bias}
 * @param wo      [d_model, d_ff] second product
 * @param woBias  [d_model], or null without {@code expert_bias}
 * @param wg      [d_ff, d_model] gate product of gated activations (SwiGLU), else null
 */
public record ExpertWeights(F32Tensor wi, F32Tensor wiBias, F32Tensor wo, F32Tensor woBias, F32Tensor wg)
{
    public int dModel()
    {
        return wi.dim(1);
    }

    public int dFf()
    {
        return wi.dim(0);
    }
}
