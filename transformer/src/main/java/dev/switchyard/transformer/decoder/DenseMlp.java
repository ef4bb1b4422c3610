package dev.switchyard.transformer.decoder;

/**
 * The dense SwiGLU MLP of a decoder layer whose block is not sparse (Qwen2-MoE's {@code mlp_only_layers}
 * and {@code decoder_sparse_step}): down_proj(silu(gate_proj·x) ⊙ up_proj·x). Not thread-safe.
 */
final class DenseMlp
{
    private final int d;
    private final int f;
    private final float[] gate; // [F, d]
    private final float[] up;   // [F, d]
    private final float[] down; // [d, F]
    private float[] g = new float[0]; // [L, F]
    private float[] u = new float[0]; // [L, F]

    DenseMlp(final DecoderConfig c, final DecoderTensors t, final int layer)
    {
        final String p = "model.layers." + layer + ".mlp.";
        this.d = c.d();
        this.f = c.intermediate();
        gate = t.load(p + "gate_proj.weight", f, d);
        up = t.load(p + "up_proj.weight", f, d);
        down = t.load(p + "down_proj.weight", d, f);
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
            u = new float[length * f];
        }
        DecoderMath.linear(h, length, gate, null, d, f, g);
        DecoderMath.linear(h, length, up, null, d, f, u);
        for (int i = 0; i < length * f; i++)
        {
            g[i] = DecoderMath.silu(g[i]) * u[i];
        }
        DecoderMath.linear(g, length, down, null, f, d, out);
    }
}
