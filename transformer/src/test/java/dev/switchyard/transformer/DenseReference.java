package dev.switchyard.transformer;

import java.util.List;

import dev.switchyard.model.config.LayerType;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.TensorNames;
import dev.switchyard.model.io.SafeTensors;
import dev.switchyard.transformer.moe.MoeLayers;

/**
 * The seed's transformer written literally, for tests: every product an einsum-style loop over the mapped
 * tensors, every bias the −1e9 tensor added to the attention logits. The MoE layers are the project's own
 * (tested against the seed elsewhere), called with the tokens of the whole [B, L] pass.
 */
final class DenseReference
{
    private static final float NEG = -1e9f;

    private final ModelConfig config;
    private final TransformerConfig t;
    private final SafeTensors w;
    private final MoeLayers moe;
    private final int d;

    DenseReference(final ModelDirectory dir, final MoeLayers moe)
    {
        this.config = dir.config();
        this.t = config.transformer();
        this.w = dir.weights();
        this.moe = moe;
        this.d = config.dModel();
    }

    private float[] tensor(final String name)
    {
        return w.tensor(name).toArray();
    }

    /** Bias [B, Lq, Lm] of one attention layer. */
    private interface Bias
    {
        float at(int b, int qp, int mp);
    }

    /**
     * @return logits [B, L, V]
     */
    float[] score(final int[] targets, final int rows, final int len, final int[] tSeg,
        final int[] inputs, final int inLen, final int[] iSeg)
    {
        float[] memory = null;
        if (t.encdec())
        {
            final float[] emb = tensor(t.sharedEmbedding() ? TensorNames.EMBEDDING_TARGETS : TensorNames.EMBEDDING_INPUTS);
            final float[] x = embed(emb, inputs, rows, inLen);
            final Bias self = (b, q, m) -> (inputs[b * inLen + m] == 0 ? NEG : 0f) +
                (iSeg != null && iSeg[b * inLen + q] != iSeg[b * inLen + m] ? NEG : 0f);
            final float[] imp = new float[rows * inLen];
            for (int i = 0; i < imp.length; i++)
            {
                imp[i] = inputs[i] == 0 ? 0f : 1f;
            }
            memory = stack(TransformerConfig.ENCODER, t.encoderLayers(), x, rows, inLen, self, null, null, 0, imp);
        }
        final int[] shifted = new int[rows * len];
        for (int b = 0; b < rows; b++)
        {
            for (int p = 1; p < len; p++)
            {
                shifted[b * len + p] = targets[b * len + p - 1];
            }
        }
        final float[] x = embed(tensor(TensorNames.EMBEDDING_TARGETS), shifted, rows, len);
        final Bias causal = (b, q, m) -> (m > q ? NEG : 0f) +
            (tSeg != null && tSeg[b * len + q] != tSeg[b * len + m] ? NEG : 0f);
        final int win = t.localAttentionWindow();
        final Bias local = (b, q, m) -> (m / win == q / win - 1 || (m / win == q / win && m <= q) ? 0f : NEG) +
            (tSeg != null && tSeg[b * len + q] != tSeg[b * len + m] ? NEG : 0f);
        final Bias cross = (b, q, m) -> (inputs[b * inLen + m] == 0 ? NEG : 0f) +
            (tSeg != null && iSeg != null && tSeg[b * len + q] != iSeg[b * inLen + m] ? NEG : 0f);
        final float[] out = stack(TransformerConfig.DECODER, t.decoderLayers(), x, rows, len, causal, local, cross,
            inLen, null);
        final float[] soft;
        if (t.sharedEmbeddingAndSoftmaxWeights())
        {
            soft = tensor(TensorNames.EMBEDDING_TARGETS);
            final float f = (float)Math.pow(d, -0.5);
            for (int i = 0; i < soft.length; i++)
            {
                soft[i] *= f;
            }
        }
        else
        {
            soft = tensor(TensorNames.SOFTMAX);
        }
        return matmulT(out, rows * len, d, soft, t.vocabSize());
    }

    private float[] memoryOf;

    private float[] embed(final float[] emb, final int[] ids, final int rows, final int len)
    {
        final float[] pos = tensor(TensorNames.EMBEDDING_POSITIONS);
        final float[] x = new float[rows * len * d];
        for (int b = 0; b < rows; b++)
        {
            for (int p = 0; p < len; p++)
            {
                for (int i = 0; i < d; i++)
                {
                    x[(b * len + p) * d + i] = emb[ids[b * len + p] * d + i] + pos[p * d + i];
                }
            }
        }
        return x;
    }

    private float[] stack(final String name, final List<LayerType> layers, final float[] x, final int rows,
        final int len, final Bias self, final Bias local, final Bias cross, final int memLen, final float[] importance)
    {
        final float[] scale = tensor(TensorNames.normScale(name));
        final int n = rows * len;
        final int[] served = t.servedMoeIndex(name);
        for (int l = 0; l < layers.size(); l++)
        {
            final float[] h = norm(x, n, scale, l);
            final String p = TensorNames.layer(name, l, layers.get(l).configName());
            final float[] y = switch (layers.get(l))
            {
                case ATT -> attention(p, h, h, rows, len, len, self);
                case LOCAL_ATT -> attention(p, h, h, rows, len, len, local);
                case ENC_ATT -> attention(p, h, memoryOf, rows, len, memLen, cross);
                case DRD ->
                {
                    final float[] hid = matmulT(h, n, d, tensor(p + "wi.weight"), config.dFf());
                    for (int i = 0; i < hid.length; i++)
                    {
                        hid[i] = Math.max(0f, hid[i]);
                    }
                    yield matmulT(hid, n, config.dFf(), tensor(p + "wo.weight"), d);
                }
                case MOE ->
                {
                    final float[] out = new float[n * d];
                    moe.forward(served[l], h, n, importance, out);
                    yield out;
                }
            };
            for (int i = 0; i < x.length; i++)
            {
                x[i] += y[i];
            }
        }
        final float[] out = norm(x, n, scale, layers.size());
        if (TransformerConfig.ENCODER.equals(name))
        {
            memoryOf = out;
        }
        return out;
    }

    private float[] norm(final float[] x, final int n, final float[] scale, final int row)
    {
        final float[] out = new float[x.length];
        for (int r = 0; r < n; r++)
        {
            double sq = 0;
            for (int i = 0; i < d; i++)
            {
                sq += (double)x[r * d + i] * x[r * d + i];
            }
            final double inv = 1.0 / Math.sqrt(sq / d + t.normEpsilon());
            for (int i = 0; i < d; i++)
            {
                out[r * d + i] = (float)(x[r * d + i] * inv * scale[row * d + i]);
            }
        }
        return out;
    }

    /** q = x·Wqᵀ "bld,hkd->bhlk"; logits "bhlk,bhmk->bhlm" + bias; softmax over m; "bhlm,bhmk->blhk"; ·Woᵀ. */
    private float[] attention(final String p, final float[] x, final float[] mem, final int rows, final int len,
        final int memLen, final Bias bias)
    {
        final int hk = t.heads() * t.kvDim();
        final int kv = t.kvDim();
        final float[] q = matmulT(x, rows * len, d, tensor(p + "q.weight"), hk);
        final float[] k = matmulT(mem, rows * memLen, d, tensor(p + "k.weight"), hk);
        final float[] v = matmulT(mem, rows * memLen, d, tensor(p + "v.weight"), hk);
        final float[] o = new float[rows * len * hk];
        final float[] logits = new float[memLen];
        for (int b = 0; b < rows; b++)
        {
            for (int h = 0; h < t.heads(); h++)
            {
                for (int qp = 0; qp < len; qp++)
                {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int m = 0; m < memLen; m++)
                    {
                        double dot = 0;
                        for (int c = 0; c < kv; c++)
                        {
                            dot += (double)q[(b * len + qp) * hk + h * kv + c] * k[(b * memLen + m) * hk + h * kv + c];
                        }
                        logits[m] = (float)dot + bias.at(b, qp, m);
                        max = Math.max(max, logits[m]);
                    }
                    double sum = 0;
                    for (int m = 0; m < memLen; m++)
                    {
                        sum += Math.exp(logits[m] - max);
                    }
                    for (int m = 0; m < memLen; m++)
                    {
                        final double wgt = Math.exp(logits[m] - max) / sum;
                        for (int c = 0; c < kv; c++)
                        {
                            o[(b * len + qp) * hk + h * kv + c] += (float)(wgt * v[(b * memLen + m) * hk + h * kv + c]);
                        }
                    }
                }
            }
        }
        return matmulT(o, rows * len, hk, tensor(p + "o.weight"), d);
    }

    /** y[n, out] = x[n, in] · W[out, in]ᵀ, accumulated in float64. */
    static float[] matmulT(final float[] x, final int n, final int in, final float[] weight, final int out)
    {
        final float[] y = new float[n * out];
        for (int r = 0; r < n; r++)
        {
            for (int o = 0; o < out; o++)
            {
                double s = 0;
                for (int i = 0; i < in; i++)
                {
                    s += (double)x[r * in + i] * weight[o * in + i];
                }
                y[r * out + o] = (float)s;
            }
        }
        return y;
    }
}
