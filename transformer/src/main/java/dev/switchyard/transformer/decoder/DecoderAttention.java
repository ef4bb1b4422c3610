package dev.switchyard.transformer.decoder;

/**
 * One decoder layer's self-attention over one sequence, as transformers' eager attention of the
 * decoder-only MoE families: projections (with Qwen2-MoE's q/k/v biases), the family's q/k RMSNorm
 * (per head for Qwen3-MoE, over the whole projection for OLMoE), OLMoE's {@code clip_qkv}, RoPE,
 * grouped-query heads, the causal mask (and sliding window), softmax in float32, the output projection.
 * Not thread-safe: it owns its scratch.
 */
final class DecoderAttention
{
    private final DecoderConfig c;
    private final Rope rope;
    private final int window;
    private final float[] wq;     // [H·hd, d]
    private final float[] wk;     // [KV·hd, d]
    private final float[] wv;     // [KV·hd, d]
    private final float[] wo;     // [d, H·hd]
    private final float[] bq;     // [H·hd] or null
    private final float[] bk;     // [KV·hd] or null
    private final float[] bv;     // [KV·hd] or null
    private final float[] bo;     // [d] or null
    private final float[] qNorm;  // [hd] (per head) or [H·hd] (whole), or null
    private final float[] kNorm;  // [hd] or [KV·hd], or null
    private final float scaling;

    private float[] q = new float[0];    // [L, H·hd]
    private float[] k = new float[0];    // [L, KV·hd]
    private float[] v = new float[0];    // [L, KV·hd]
    private float[] ctx = new float[0];  // [L, H·hd]
    private float[] probs = new float[0]; // [L]
    private final float[] trig;           // [hd]

    DecoderAttention(final DecoderConfig c, final Rope rope, final DecoderTensors t, final int layer)
    {
        this.c = c;
        this.rope = rope;
        this.window = c.window()[layer];
        final String p = "model.layers." + layer + ".self_attn.";
        final int qw = c.heads() * c.headDim();
        final int kw = c.kvHeads() * c.headDim();
        wq = t.load(p + "q_proj.weight", qw, c.d());
        wk = t.load(p + "k_proj.weight", kw, c.d());
        wv = t.load(p + "v_proj.weight", kw, c.d());
        wo = t.load(p + "o_proj.weight", c.d(), qw);
        bq = t.optional(c.qkvBias(), p + "q_proj.bias", qw);
        bk = t.optional(c.qkvBias(), p + "k_proj.bias", kw);
        bv = t.optional(c.qkvBias(), p + "v_proj.bias", kw);
        bo = t.optional(c.outBias(), p + "o_proj.bias", c.d());
        final boolean whole = c.qkNorm() == DecoderConfig.QkNorm.WHOLE;
        final boolean normed = c.qkNorm() != DecoderConfig.QkNorm.NONE;
        qNorm = t.optional(normed, p + "q_norm.weight", whole ? qw : c.headDim());
        kNorm = t.optional(normed, p + "k_norm.weight", whole ? kw : c.headDim());
        scaling = (float)Math.pow(c.headDim(), -0.5);
        trig = new float[c.headDim()];
    }

    /**
     * out = attention(h) for positions 0..length−1 of one sequence.
     *
     * @param h   [L, d] the layer's input after its pre-norm
     * @param out [L, d] overwritten
     */
    void forward(final float[] h, final int length, final float[] out)
    {
        final int hd = c.headDim();
        final int qw = c.heads() * hd;
        final int kw = c.kvHeads() * hd;
        ensure(length, qw, kw);
        DecoderMath.linear(h, length, wq, bq, c.d(), qw, q);
        DecoderMath.linear(h, length, wk, bk, c.d(), kw, k);
        DecoderMath.linear(h, length, wv, bv, c.d(), kw, v);
        for (int i = 0; i < length; i++)
        {
            normalize(q, i * qw, c.heads(), qNorm);
            normalize(k, i * kw, c.kvHeads(), kNorm);
            if (!Double.isNaN(c.clipQkv()))
            {
                clip(q, i * qw, qw);
                clip(k, i * kw, kw);
                clip(v, i * kw, kw);
            }
            rope.apply(q, i * qw, c.heads(), i, trig);
            rope.apply(k, i * kw, c.kvHeads(), i, trig);
        }
        final int group = c.heads() / c.kvHeads();
        for (int head = 0; head < c.heads(); head++)
        {
            for (int i = 0; i < length; i++)
            {
                attend(head, head / group, i);
            }
        }
        DecoderMath.linear(ctx, length, wo, bo, qw, c.d(), out);
    }

    /** ctx[i, head] = Σ_j softmax_j(q_i·k_j · hd^−½) v_j over the keys query i sees. */
    private void attend(final int head, final int kvHead, final int i)
    {
        final int hd = c.headDim();
        final int qw = c.heads() * hd;
        final int kw = c.kvHeads() * hd;
        final int first = window > 0 ? Math.max(0, i - window + 1) : 0;
        final int qo = i * qw + head * hd;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = first; j <= i; j++)
        {
            final int ko = j * kw + kvHead * hd;
            float dot = 0f;
            for (int x = 0; x < hd; x++)
            {
                dot = Math.fma(q[qo + x], k[ko + x], dot);
            }
            probs[j] = dot * scaling;
            max = Math.max(max, probs[j]);
        }
        float sum = 0f;
        for (int j = first; j <= i; j++)
        {
            probs[j] = (float)Math.exp(probs[j] - max);
            sum += probs[j];
        }
        for (int x = 0; x < hd; x++)
        {
            float acc = 0f;
            for (int j = first; j <= i; j++)
            {
                acc = Math.fma(probs[j] / sum, v[j * kw + kvHead * hd + x], acc);
            }
            ctx[qo + x] = acc;
        }
    }

    /** The family's q/k RMSNorm of one position's projection [heads·hd], in place. */
    private void normalize(final float[] x, final int off, final int heads, final float[] weight)
    {
        if (weight == null)
        {
            return;
        }
        final float eps = (float)c.eps();
        if (c.qkNorm() == DecoderConfig.QkNorm.WHOLE)
        {
            DecoderMath.rmsNorm(x, off, heads * c.headDim(), weight, eps, x, off);
            return;
        }
        for (int head = 0; head < heads; head++)
        {
            DecoderMath.rmsNorm(x, off + head * c.headDim(), c.headDim(), weight, eps, x, off + head * c.headDim());
        }
    }

    private void clip(final float[] x, final int off, final int n)
    {
        final float limit = (float)c.clipQkv();
        for (int i = off; i < off + n; i++)
        {
            x[i] = Math.max(-limit, Math.min(limit, x[i]));
        }
    }

    private void ensure(final int length, final int qw, final int kw)
    {
        if (probs.length < length)
        {
            q = new float[length * qw];
            k = new float[length * kw];
            v = new float[length * kw];
            ctx = new float[length * qw];
            probs = new float[length];
        }
    }
}
