package dev.switchyard.transformer.decoder;

import java.util.Arrays;
import java.util.List;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.transformer.moe.CheckpointMoeLayers;
import dev.switchyard.transformer.moe.MoeLayers;
import dev.switchyard.wire.BadInputException;

/**
 * The whole decoder-only language model of a checkpoint folder (mixtral, qwen2_moe, qwen3_moe, olmoe), in
 * process and float32, as transformers 5.18 computes {@code model(ids).logits}:
 * <pre>
 * x = embed_tokens[ids]                                    // [L, d]
 * per layer: x += attention(rmsnorm(x)); x += mlp(rmsnorm(x))   // mlp: the served MoE layer or a dense MLP
 * logits = rmsnorm(x) · lm_headᵀ                           // [L, V]; lm_head = embed_tokens when tied
 * </pre>
 * Each row of a batch is computed alone, so a row's logits are the same bits whatever rows share its
 * call. The MoE blocks go through {@link MoeLayers} (in process: {@link CheckpointMoeLayers}), one call per layer
 * over the row's positions (the dropless families route every token alone). {@link #sequence} and {@link #append} run the
 * same pass position by position over a key/value cache, for generation. Not thread-safe.
 */
public final class CheckpointDecoder
{
    private final DecoderConfig config;
    private final float[] embed;        // [V, d]
    private final DenseLinear lmHead;   // [V, d]
    private final float[] finalNorm;    // [d]
    private final float[][] inputNorm;  // [layers][d]
    private final float[][] postNorm;   // [layers][d]
    private final DecoderAttention[] attention;
    private final MoeLayers moe;        // the served layers, by served index
    private final DenseMlp[] dense;     // [layers], null for sparse blocks

    private CheckpointDecoder(final DecoderConfig config, final float[] embed, final DenseLinear lmHead,
        final float[] finalNorm, final float[][] inputNorm, final float[][] postNorm,
        final DecoderAttention[] attention, final MoeLayers moe, final DenseMlp[] dense)
    {
        this.config = config;
        this.embed = embed;
        this.lmHead = lmHead;
        this.finalNorm = finalNorm;
        this.inputNorm = inputNorm;
        this.postNorm = postNorm;
        this.attention = attention;
        this.moe = moe;
        this.dense = dense;
    }

    /**
     * The model of an open checkpoint; its dense weights are widened to float32 on the heap, its experts
     * packed in {@code format} (null: as stored).
     *
     * @throws BadInputException naming the key or tensor that is wrong, or a family without this pass
     */
    public static CheckpointDecoder load(final Checkpoint checkpoint, final ComputeBackend backend,
        final WeightFormat format)
    {
        final DecoderConfig c = DecoderConfigReader.read(checkpoint);
        final int served = (int)Arrays.stream(c.served()).filter(i -> i >= 0).count();
        return load(checkpoint, CheckpointMoeLayers.load(checkpoint, served, backend, format), backend);
    }

    /**
     * The model with its MoE layers computed by {@code moe} (in process, or through the serving system: both give
     * the same bits), its dense products (attention projections, dense MLPs, lm_head) packed in float32 and
     * computed by {@code backend}: the same backend gives the same bits, whatever computes the MoE layers.
     *
     * @throws BadInputException naming the key or tensor that is wrong, or a family without this pass
     */
    public static CheckpointDecoder load(final Checkpoint checkpoint, final MoeLayers moe,
        final ComputeBackend backend)
    {
        final DecoderConfig c = DecoderConfigReader.read(checkpoint);
        final DecoderTensors t = new DecoderTensors(checkpoint, backend);
        final float[] embed = t.load("model.embed_tokens.weight", c.vocab(), c.d());
        final DenseLinear lmHead = t.linear(c.tied() ? "model.embed_tokens.weight" : "lm_head.weight", null,
            c.vocab(), c.d());
        final Rope rope = new Rope(c.headDim(), c.ropeTheta());
        final float[][] inputNorm = new float[c.layers()][];
        final float[][] postNorm = new float[c.layers()][];
        final DecoderAttention[] attention = new DecoderAttention[c.layers()];
        final DenseMlp[] dense = new DenseMlp[c.layers()];
        for (int i = 0; i < c.layers(); i++)
        {
            final String p = "model.layers." + i + ".";
            inputNorm[i] = t.load(p + "input_layernorm.weight", c.d());
            postNorm[i] = t.load(p + "post_attention_layernorm.weight", c.d());
            attention[i] = new DecoderAttention(c, rope, t, i);
            if (c.served()[i] < 0)
            {
                dense[i] = new DenseMlp(c, t, i);
            }
        }
        return new CheckpointDecoder(c, embed, lmHead, t.load("model.norm.weight", c.d()), inputNorm, postNorm,
            attention, moe, dense);
    }

    public DecoderConfig config()
    {
        return config;
    }

    /** V, the width of the logits. */
    public int vocab()
    {
        return config.vocab();
    }

    /**
     * Logits of every position of every row, each row alone (no padding, position p predicts p + 1).
     *
     * @param ids [rows, length], each id in [0, V)
     * @return [rows, length, V]
     * @throws BadInputException naming the first id outside the vocabulary
     */
    public float[] score(final int[] ids, final int rows, final int length)
    {
        if (rows < 1 || length < 1 || ids.length != rows * length)
        {
            throw new BadInputException("ids: " + ids.length + " values for shape [" + rows + ", " + length +
                "]; at least one row and one position are needed");
        }
        for (int i = 0; i < ids.length; i++)
        {
            if (ids[i] < 0 || ids[i] >= config.vocab())
            {
                throw new BadInputException("ids: id " + ids[i] + " at row " + i / length + ", position " +
                    i % length + " is outside the vocabulary 0.." + (config.vocab() - 1));
            }
        }
        final int v = config.vocab();
        final float[] out = new float[rows * length * v];
        final float[] logits = new float[length * v];
        for (int r = 0; r < rows; r++)
        {
            append(sequence(length), ids, r * length, length, logits);
            System.arraycopy(logits, 0, out, r * length * v, length * v);
        }
        return out;
    }

    /** An empty sequence with room for {@code capacity} positions, to {@link #append} to. */
    public DecoderCache sequence(final int capacity)
    {
        return new DecoderCache(config.layers(), config.kvHeads() * config.headDim(), capacity);
    }

    /**
     * Computes the next {@code n} positions of a sequence, ids[off, off + n), all in one pass (a prompt) or one
     * at a time (decoding): each position's logits are the same bits either way, since every step of the pass
     * treats positions alone and the dropless MoE layers route each token alone.
     *
     * @param logits [n, V] overwritten: position p predicts p + 1
     * @throws BadInputException naming the first id outside the vocabulary, or a sequence without room
     */
    public void append(final DecoderCache cache, final int[] ids, final int off, final int n, final float[] logits)
    {
        checkIds(ids, off, n, cache.length());
        final int start = cache.reserve(n);
        final float[] x = embed(ids, off, n);
        layers(x, n, (layer, h, y) -> attention[layer].forward(h, start, n, cache.layer(layer), y), logits);
    }

    /**
     * One decode step of several sequences at once: row r appends ids[r] to caches[r]. Attention runs per
     * sequence (each has its own keys); its projections, the norms, dense MLPs, MoE layers (one call per layer
     * over all rows) and lm_head take the rows together. Every part treats a row alone, so each row's logits are
     * the bits {@link #append} of that one id to that sequence gives: a sequence's results do not depend on its
     * batch.
     *
     * @param ids    [rows], row r's next id
     * @param logits [rows, V] overwritten: row r predicts the position after ids[r]
     * @throws BadInputException naming the first id outside the vocabulary or the first sequence without room;
     *                           then no sequence has changed
     */
    public void step(final List<DecoderCache> caches, final int[] ids, final float[] logits)
    {
        final int rows = caches.size();
        if (rows < 1 || ids.length < rows || logits.length < rows * config.vocab())
        {
            throw new BadInputException("a step needs at least one sequence, an id and a logits row per sequence (" +
                rows + " sequences, " + ids.length + " ids, " + logits.length + " logits)");
        }
        for (int r = 0; r < rows; r++)
        {
            final DecoderCache cache = caches.get(r);
            checkIds(ids, r, 1, cache.length());
            if (cache.length() >= cache.capacity())
            {
                throw new BadInputException("sequence " + r + " of the step is full (" + cache.capacity() +
                    " positions)");
            }
        }
        final int[] positions = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            positions[r] = caches.get(r).reserve(1);
        }
        final DecoderCache.Layer[] layerCaches = new DecoderCache.Layer[rows];
        layers(embed(ids, 0, rows), rows, (layer, h, y) ->
        {
            for (int r = 0; r < rows; r++)
            {
                layerCaches[r] = caches.get(r).layer(layer);
            }
            attention[layer].forward(h, rows, positions, layerCaches, y);
        }, logits);
    }

    private void checkIds(final int[] ids, final int off, final int n, final int position)
    {
        for (int i = off; i < off + n; i++)
        {
            if (ids[i] < 0 || ids[i] >= config.vocab())
            {
                throw new BadInputException("ids: id " + ids[i] + " at position " + (position + i - off) +
                    " is outside the vocabulary 0.." + (config.vocab() - 1));
            }
        }
    }

    /** x [n, d]: the embeddings of ids[off, off + n). */
    private float[] embed(final int[] ids, final int off, final int n)
    {
        final int d = config.d();
        final float[] x = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            System.arraycopy(embed, ids[off + i] * d, x, i * d, d);
        }
        return x;
    }

    /** The decoder layers, final norm and lm_head over x [n, d] (consumed); logits [n, V]. */
    private void layers(final float[] x, final int n, final Attention attend, final float[] logits)
    {
        final int d = config.d();
        final float eps = (float)config.eps();
        final float[] h = new float[n * d];
        final float[] y = new float[n * d];
        for (int layer = 0; layer < config.layers(); layer++)
        {
            norm(x, n, inputNorm[layer], eps, h);
            attend.forward(layer, h, y);
            DecoderMath.addInto(x, y, n * d);
            norm(x, n, postNorm[layer], eps, h);
            if (config.served()[layer] >= 0)
            {
                moe.forward(config.served()[layer], h, n, null, y);
            }
            else
            {
                dense[layer].forward(h, n, y);
            }
            DecoderMath.addInto(x, y, n * d);
        }
        norm(x, n, finalNorm, eps, h);
        lmHead.forward(h, n, logits);
    }

    /** One layer's attention of the rows of a pass: y [n, d] from h [n, d]. */
    @FunctionalInterface
    private interface Attention
    {
        void forward(int layer, float[] h, float[] y);
    }

    private void norm(final float[] x, final int length, final float[] weight, final float eps, final float[] out)
    {
        for (int i = 0; i < length; i++)
        {
            DecoderMath.rmsNorm(x, i * config.d(), config.d(), weight, eps, out, i * config.d());
        }
    }
}
