package dev.switchyard.transformer.decoder;

import dev.switchyard.model.tensor.ExactExp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of one query head's attention over its sequence's keys and values: the scores, the
 * softmax, the weighted sum of the values. A head whose width is whole vectors of eight lanes runs them
 * on such vectors, on every machine (AVX2 and AVX-512 alike, not the preferred species), so that a
 * dot product's partial sums, and with them the bits, do not depend on the CPU; other widths run the
 * same arithmetic lane by lane. The exponential is {@link ExactExp}'s: the same bits in a lane and alone.
 * Not thread-safe: it owns its scratch.
 */
final class AttentionKernels
{
    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_256;
    private static final int W = LANES.length();
    /** Vectors of the weighted sum kept in registers at once: 32 elements of the head per pass over the keys. */
    private static final int SUM_VECTORS = 4;

    private final int hd;
    private final float scaling;
    private final boolean vectors;
    private final float[] partial = new float[4 * W]; // four dot products' lane sums
    private float[] probs = new float[0];              // [capacity] one query's weights over the keys

    /** @param scaling what every score is multiplied by (hd^−½) */
    AttentionKernels(final int hd, final float scaling)
    {
        this(hd, scaling, hd % (W * SUM_VECTORS) == 0);
    }

    /** @param vectors whether to run on vectors (a head of whole vectors), or lane by lane: the same bits */
    AttentionKernels(final int hd, final float scaling, final boolean vectors)
    {
        if (vectors && hd % (W * SUM_VECTORS) != 0)
        {
            throw new IllegalArgumentException("a head of " + hd + " is not whole vectors of " + W * SUM_VECTORS);
        }
        this.hd = hd;
        this.scaling = scaling;
        this.vectors = vectors;
    }

    /** Room for the weights over {@code capacity} keys. */
    void ensure(final int capacity)
    {
        if (probs.length < capacity)
        {
            probs = new float[capacity];
        }
    }

    /**
     * ctx[co, co + hd) = Σ_j softmax_j(q·k_j · scaling) v_j over the keys first..last; key j at
     * keys[j·kw + kvOff], its value at values[j·kw + kvOff]. Each element of ctx is one fma chain over j
     * in increasing order.
     */
    void attend(final float[] q, final int qo, final float[] keys, final float[] values, final int kw,
        final int kvOff, final int first, final int last, final float[] ctx, final int co)
    {
        final float max = vectors ? vectorScores(q, qo, keys, kw, kvOff, first, last) :
            scalarScores(q, qo, keys, kw, kvOff, first, last);
        final float sum = exponentials(max, first, last);
        int j = first;
        if (vectors)
        {
            final FloatVector total = FloatVector.broadcast(LANES, sum);
            for (; j + W <= last + 1; j += W)
            {
                FloatVector.fromArray(LANES, probs, j).div(total).intoArray(probs, j);
            }
        }
        for (; j <= last; j++)
        {
            probs[j] /= sum;
        }
        if (vectors)
        {
            vectorWeightedSum(values, kw, kvOff, first, last, ctx, co);
        }
        else
        {
            scalarWeightedSum(values, kw, kvOff, first, last, ctx, co);
        }
    }

    /** probs[j] = e^(probs[j] − max) for j in first..last; returns their sum, added in increasing j. */
    private float exponentials(final float max, final int first, final int last)
    {
        for (int j = first; j <= last; j++)
        {
            probs[j] = ExactExp.exp(probs[j] - max);
        }
        float sum = 0f;
        for (int t = first; t <= last; t++)
        {
            sum += probs[t];
        }
        return sum;
    }

    /**
     * probs[j] = q·k_j · scaling for the keys first..last; returns their maximum. Each dot product is W lane
     * chains of fmas over the head (lane l takes elements l, l + W, ...), the lanes then summed in one fixed
     * order; four keys at a time.
     */
    private float vectorScores(final float[] q, final int qo, final float[] keys, final int kw, final int kvOff,
        final int first, final int last)
    {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = first; j <= last; j += 4)
        {
            final int count = Math.min(4, last - j + 1);
            FloatVector d0 = FloatVector.zero(LANES);
            FloatVector d1 = d0;
            FloatVector d2 = d0;
            FloatVector d3 = d0;
            final int k0 = j * kw + kvOff;
            for (int x = 0; x < hd; x += W)
            {
                final FloatVector qx = FloatVector.fromArray(LANES, q, qo + x);
                d0 = qx.fma(FloatVector.fromArray(LANES, keys, k0 + x), d0);
                // Keys past the last are not read: their chains stay zero and are not kept.
                d1 = count > 1 ? qx.fma(FloatVector.fromArray(LANES, keys, k0 + kw + x), d1) : d1;
                d2 = count > 2 ? qx.fma(FloatVector.fromArray(LANES, keys, k0 + 2 * kw + x), d2) : d2;
                d3 = count > 3 ? qx.fma(FloatVector.fromArray(LANES, keys, k0 + 3 * kw + x), d3) : d3;
            }
            d0.intoArray(partial, 0);
            d1.intoArray(partial, W);
            d2.intoArray(partial, 2 * W);
            d3.intoArray(partial, 3 * W);
            for (int t = 0; t < count; t++)
            {
                probs[j + t] = laneSum(t * W) * scaling;
                max = Math.max(max, probs[j + t]);
            }
        }
        return max;
    }

    /** As {@link #vectorScores}, lane by lane: the same chains and the same order of the lanes' sum. */
    private float scalarScores(final float[] q, final int qo, final float[] keys, final int kw, final int kvOff,
        final int first, final int last)
    {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = first; j <= last; j++)
        {
            final int ko = j * kw + kvOff;
            java.util.Arrays.fill(partial, 0, W, 0f);
            for (int x = 0; x < hd; x++)
            {
                partial[x % W] = Math.fma(q[qo + x], keys[ko + x], partial[x % W]);
            }
            probs[j] = laneSum(0) * scaling;
            max = Math.max(max, probs[j]);
        }
        return max;
    }

    /** partial[off, off + W) summed pairwise in a fixed order. */
    private float laneSum(final int off)
    {
        float sum = 0f;
        for (int l = 0; l < W; l += 2)
        {
            sum += partial[off + l] + partial[off + l + 1];
        }
        return sum;
    }

    /** ctx = Σ_j probs[j] · v_j, SUM_VECTORS vectors of the head at a time held in registers over every j. */
    private void vectorWeightedSum(final float[] values, final int kw, final int kvOff, final int first,
        final int last, final float[] ctx, final int co)
    {
        for (int x = 0; x < hd; x += W * SUM_VECTORS)
        {
            FloatVector a0 = FloatVector.zero(LANES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int j = first; j <= last; j++)
            {
                final FloatVector w = FloatVector.broadcast(LANES, probs[j]);
                final int vo = j * kw + kvOff + x;
                a0 = w.fma(FloatVector.fromArray(LANES, values, vo), a0);
                a1 = w.fma(FloatVector.fromArray(LANES, values, vo + W), a1);
                a2 = w.fma(FloatVector.fromArray(LANES, values, vo + 2 * W), a2);
                a3 = w.fma(FloatVector.fromArray(LANES, values, vo + 3 * W), a3);
            }
            a0.intoArray(ctx, co + x);
            a1.intoArray(ctx, co + x + W);
            a2.intoArray(ctx, co + x + 2 * W);
            a3.intoArray(ctx, co + x + 3 * W);
        }
    }

    private void scalarWeightedSum(final float[] values, final int kw, final int kvOff, final int first,
        final int last, final float[] ctx, final int co)
    {
        java.util.Arrays.fill(ctx, co, co + hd, 0f);
        for (int j = first; j <= last; j++)
        {
            final int vo = j * kw + kvOff;
            for (int x = 0; x < hd; x++)
            {
                ctx[co + x] = Math.fma(probs[j], values[vo + x], ctx[co + x]);
            }
        }
    }
}
