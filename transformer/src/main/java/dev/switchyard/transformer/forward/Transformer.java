package dev.switchyard.transformer.forward;

import java.util.List;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.model.config.LayerType;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.transformer.attention.KvStore;
import dev.switchyard.transformer.attention.Memory;
import dev.switchyard.transformer.model.TransformerModel;
import dev.switchyard.transformer.moe.MoeLayers;

/**
 * The seed's transformer over its MoE layers: the encoder pass, the teacher-forced forward ({@code score})
 * and decode sessions. Not thread-safe; one per request (or per decode loop).
 */
public final class Transformer
{
    private final TransformerModel model;
    private final ComputeBackend backend;
    private final MoeLayers moe;
    private final StackRunner encoder;
    private final StackRunner decoder;
    private final Tokens tokens = new Tokens();

    public Transformer(final TransformerModel model, final ComputeBackend backend, final MoeLayers moe)
    {
        this.model = model;
        this.backend = backend;
        this.moe = moe;
        this.encoder = model.encoder() == null ? null : new StackRunner(model, model.encoder(), backend, moe);
        this.decoder = new StackRunner(model, model.decoder(), backend, moe);
    }

    public TransformerModel model()
    {
        return model;
    }

    /**
     * Runs the encoder over the source once and computes every {@code enc_att} layer's keys and values.
     *
     * @param source   [B, L_in] ids, 0-padded
     * @param segments [B, L_in] or null
     * @return the decoder's memory per layer (null entries where a layer is not enc_att)
     */
    public Memory[] encode(final int[] source, final int rows, final int length, final int[] segments)
    {
        final TransformerConfig t = model.transformer();
        final int d = model.dModel();
        final int n = rows * length;
        final float[] x = new float[n * d]; // [B·L_in, d]
        tokens.reset(n);
        for (int b = 0; b < rows; b++)
        {
            for (int p = 0; p < length; p++)
            {
                final int at = b * length + p;
                tokens.add(b, b, p, segments == null ? 0 : segments[at], source[at]);
                model.embed(true, source[at], p, x, at * d);
            }
        }
        encoder.run(x, tokens, new StackState(model, model.encoder(), rows, length, segments != null, null));

        final List<TransformerModel.Layer> layers = model.decoder().layers();
        final Memory[] cross = new Memory[layers.size()];
        final int hk = t.heads() * t.kvDim();
        final float[] k = new float[n * hk]; // [B·L_in, H·K]
        final float[] v = new float[n * hk];
        for (int l = 0; l < layers.size(); l++)
        {
            if (layers.get(l) instanceof TransformerModel.Attention a && a.type() == LayerType.ENC_ATT)
            {
                backend.linear(a.k(), Epilogue.NONE, x, 0, n, k, 0);
                backend.linear(a.v(), Epilogue.NONE, x, 0, n, v, 0);
                final KvStore store = new KvStore(rows, t.heads(), length, t.kvDim());
                for (int i = 0; i < n; i++)
                {
                    store.put(i / length, i % length, k, i * hk, v, i * hk);
                }
                cross[l] = new Memory(store, source.clone(), segments == null ? null : segments.clone(), length);
            }
        }
        return cross;
    }

    /**
     * Teacher-forced logits (docs/contracts.md §8): the decoder sees the shifted targets, 0 at position 0.
     *
     * @param targets         [B, L]
     * @param targetSegments  [B, L] or null
     * @param cross           the encoder memory ({@link #encode}), or null for a decoder-only model
     * @return logits [B, L, V]
     */
    public float[] score(final int[] targets, final int rows, final int length, final int[] targetSegments,
        final Memory[] cross)
    {
        return score(targets, rows, length, targetSegments, cross, null);
    }

    /**
     * As {@link #score(int[], int, int, int[], Memory[])}, with the decoder's MoE layers grouping tokens by
     * key (one request per key, see {@link Tokens#moeGroup}): a recompute of decode steps keys each token by
     * its position, so every MoE group holds what the step's did.
     *
     * @param moeGroups [B, L] keys, or null for one group sequence over the whole [B, L]
     */
    public float[] score(final int[] targets, final int rows, final int length, final int[] targetSegments,
        final Memory[] cross, final int[] moeGroups)
    {
        final int d = model.dModel();
        final int n = rows * length;
        final float[] x = new float[n * d]; // [B·L, d]
        tokens.reset(n);
        for (int b = 0; b < rows; b++)
        {
            for (int p = 0; p < length; p++)
            {
                final int at = b * length + p;
                final int in = p == 0 ? 0 : targets[at - 1];
                tokens.add(b, b, p, targetSegments == null ? 0 : targetSegments[at], in);
                if (moeGroups != null)
                {
                    tokens.moeGroup(at, moeGroups[at]);
                }
                model.embed(false, in, p, x, at * d);
            }
        }
        decoder.run(x, tokens, new StackState(model, model.decoder(), rows, length, targetSegments != null, cross));
        final float[] logits = new float[Math.multiplyExact(n, model.transformer().vocabSize())];
        backend.linear(model.softmax(), Epilogue.NONE, x, 0, n, logits, 0);
        return logits;
    }

    /**
     * A decoder with a key/value cache for {@code slots} sequences of up to {@code length} positions.
     *
     * @param cross the encoder memory indexed by row, or null for a decoder-only model
     */
    public DecodeSession session(final int slots, final int length, final Memory[] cross)
    {
        return new DecodeSession(model, backend, decoder,
            new StackState(model, model.decoder(), slots, length, false, cross));
    }

    public MoeLayers moe()
    {
        return moe;
    }
}
