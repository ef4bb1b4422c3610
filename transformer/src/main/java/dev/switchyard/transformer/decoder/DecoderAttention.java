package dev.switchyard.transformer.decoder;

/**
 * One decoder layer's self-attention over one sequence, as transformers' eager attention of the
 * decoder-only MoE families: projections (with Qwen2-MoE's q/k/v biases), the family's q/k RMSNorm
 * (per head for Qwen3-MoE, over the whole projection for OLMoE), OLMoE's {@code clip_qkv}, RoPE,
 * grouped-query heads, the causal mask (and sliding window), softmax in float32, the output projection.
 * Keys and values live in the sequence's {@link DecoderCache}; the window is applied when attending, as the
 * full forward applies it. Not thread-safe: it owns its scratch.
 */
final class DecoderAttention
{
    private final DecoderConfig c;
    private final Rope rope;
    private final int window;
    private final DenseLinear wq; // [H·hd, d], with Qwen2-MoE's bias [H·hd]
    private final DenseLinear wk; // [KV·hd, d] (+ [KV·hd])
    private final DenseLinear wv; // [KV·hd, d] (+ [KV·hd])
    private final DenseLinear wo; // [d, H·hd] (+ [d])
    private final float[] qNorm;  // [hd] (per head) or [H·hd] (whole), or null
    private final float[] kNorm;  // [hd] or [KV·hd], or null
    private final AttentionKernels kernels;

    private float[] q = new float[0];    // [n, H·hd] this call's positions
    private float[] k = new float[0];    // [n, KV·hd]
    private float[] v = new float[0];    // [n, KV·hd]
    private float[] ctx = new float[0];  // [n, H·hd]
    private final float[] trig;           // [hd]

    DecoderAttention(final DecoderConfig c, final Rope rope, final DecoderTensors t, final int layer)
    {
        this.c = c;
        this.rope = rope;
        this.window = c.window()[layer];
        final String p = "model.layers." + layer + ".self_attn.";
        final int qw = c.heads() * c.headDim();
        final int kw = c.kvHeads() * c.headDim();
        wq = t.linear(p + "q_proj.weight", c.qkvBias() ? p + "q_proj.bias" : null, qw, c.d());
        wk = t.linear(p + "k_proj.weight", c.qkvBias() ? p + "k_proj.bias" : null, kw, c.d());
        wv = t.linear(p + "v_proj.weight", c.qkvBias() ? p + "v_proj.bias" : null, kw, c.d());
        wo = t.linear(p + "o_proj.weight", c.outBias() ? p + "o_proj.bias" : null, c.d(), qw);
        final boolean whole = c.qkNorm() == DecoderConfig.QkNorm.WHOLE;
        final boolean normed = c.qkNorm() != DecoderConfig.QkNorm.NONE;
        qNorm = t.optional(normed, p + "q_norm.weight", whole ? qw : c.headDim());
        kNorm = t.optional(normed, p + "k_norm.weight", whole ? kw : c.headDim());
        kernels = new AttentionKernels(c.headDim(), (float)Math.pow(c.headDim(), -0.5));
        trig = new float[c.headDim()];
    }

    /**
     * out = attention(h) for positions start..start + n − 1 of one sequence whose earlier positions' keys and
     * values are in the cache; this call's keys (after RoPE) and values are written into it. Each position is
     * computed as when it comes alone, so a prompt prefilled at once gives the bits of stepping through it.
     *
     * @param h     [n, d] the layer's input after its pre-norm
     * @param cache [capacity, KV·hd] keys and values of this layer, positions 0..start + n − 1 after the call
     * @param out   [n, d] overwritten
     */
    void forward(final float[] h, final int start, final int n, final DecoderCache.Layer cache, final float[] out)
    {
        final int[] positions = new int[n];
        final DecoderCache.Layer[] caches = new DecoderCache.Layer[n];
        for (int i = 0; i < n; i++)
        {
            positions[i] = start + i;
            caches[i] = cache;
        }
        forward(h, n, positions, caches, out);
    }

    /**
     * out = attention(h) for n rows, row i at position positions[i] of the sequence whose keys and values are
     * caches[i] (several rows may be one sequence's consecutive positions, or each row another sequence's next
     * one). The projections take every row in one call (a row's product depends on that row alone: the
     * backend's contract), the attention itself each row over its own sequence's keys; so each row gets the
     * bits it gets alone.
     *
     * @param h   [n, d] the layer's input after its pre-norm
     * @param out [n, d] overwritten
     */
    void forward(final float[] h, final int n, final int[] positions, final DecoderCache.Layer[] caches,
        final float[] out)
    {
        final int hd = c.headDim();
        final int qw = c.heads() * hd;
        final int kw = c.kvHeads() * hd;
        int capacity = 0;
        for (int i = 0; i < n; i++)
        {
            capacity = Math.max(capacity, caches[i].capacity());
        }
        ensure(n, qw, capacity);
        wq.forward(h, n, q);   // [n, H·hd]
        wk.forward(h, n, k);   // [n, KV·hd]
        wv.forward(h, n, v);   // [n, KV·hd]
        for (int i = 0; i < n; i++)
        {
            normalize(q, i * qw, c.heads(), qNorm);
            normalize(k, i * kw, c.kvHeads(), kNorm);
            if (!Double.isNaN(c.clipQkv()))
            {
                clip(q, i * qw, qw);
                clip(k, i * kw, kw);
                clip(v, i * kw, kw);
            }
            rope.apply(q, i * qw, c.heads(), positions[i], trig);
            rope.apply(k, i * kw, c.kvHeads(), positions[i], trig);
            System.arraycopy(k, i * kw, caches[i].keys(), positions[i] * kw, kw);
            System.arraycopy(v, i * kw, caches[i].values(), positions[i] * kw, kw);
        }
        final int group = c.heads() / c.kvHeads();
        for (int head = 0; head < c.heads(); head++)
        {
            for (int i = 0; i < n; i++)
            {
                attend(head, head / group, i, positions[i], caches[i]);
            }
        }
        wo.forward(ctx, n, out);   // [n, d]
    }

    /** ctx[i, head] = Σ_j softmax_j(q_i·k_j · hd^−½) v_j over the keys query i (at {@code position}) sees. */
    private void attend(final int head, final int kvHead, final int i, final int position,
        final DecoderCache.Layer cache)
    {
        final int hd = c.headDim();
        final int qo = i * c.heads() * hd + head * hd;
        final int first = window > 0 ? Math.max(0, position - window + 1) : 0;
        kernels.attend(q, qo, cache.keys(), cache.values(), c.kvHeads() * hd, kvHead * hd, first, position, ctx, qo);
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

    private void ensure(final int n, final int qw, final int capacity)
    {
        if (q.length < n * qw)
        {
            q = new float[n * qw];
            k = new float[n * c.kvHeads() * c.headDim()];
            v = new float[n * c.kvHeads() * c.headDim()];
            ctx = new float[n * qw];
        }
        kernels.ensure(capacity);
    }
}
