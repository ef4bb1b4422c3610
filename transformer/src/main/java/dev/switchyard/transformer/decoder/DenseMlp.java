package dev.switchyard.transformer.decoder;

/**
 * The dense SwiGLU MLP of a decoder layer whose block is not sparse (Qwen2-MoE's {@code mlp_only_layers}
 * and {@code decoder_sparse_step}): down_proj(silu(gate_proj·x) ⊙ up_proj·x). Not thread-safe.
 */
final class DenseMlp
{
    private final int f;
    private final DenseLinear gateUp; // gate [F, d] and up [F, d]: silu(x·gateᵀ) ⊙ (x·upᵀ)
    private final DenseLinear down;   // [d, F]
    private float[] g = new float[0]; // [L, F]

    DenseMlp(final DecoderConfig c, final DecoderTensors t, final int layer)
    {
        final String p = "model.layers." + layer + ".mlp.";
        final int d = c.d();
        this.f = c.intermediate();
        gateUp = t.gated(p + "gate_proj.weight", p + "up_proj.weight", f, d);
        down = t.linear(p + "down_proj.weight", null, d, f);
    }

    /**
     * @param h   [L, d] after the post-attention norm
     * @param out [L, d] overwritten
     */
    void forward(final float[] h, final int length, final float[] out)
    {
        if (g.length < length * f)
        {
            g = new float[length * f];
        }
        gateUp.forward(h, length, g);
        down.forward(g, length, out);
    }
}
