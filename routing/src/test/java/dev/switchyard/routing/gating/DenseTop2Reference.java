package dev.switchyard.routing.gating;

import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;

/**
 * Mesh TensorFlow's {@code _top_2_gating}, written the seed's way: dense [G, E] masks, exclusive
 * cumsums over the group, and the [G, E, C] combine and dispatch tensors, then the einsums of
 * {@code moe_v0}. Slow and literal on purpose: it is the oracle the sparse path is checked against.
 * Both variants of the seed are here: canonical ({@code before_capacity}, importance) and the older
 * one ({@code after_capacity}, max_experts).
 */
final class DenseTop2Reference
{
    /** Per-token values are what the report holds; combine and dispatch are [G, E, C]. */
    record Result(
        int capacity,
        float[] combine,
        float[] dispatch,
        double loss,
        float[] density1,
        float[] density2,
        int[] expert1,
        int[] position1,
        float[] gate1,
        int[] expert2,
        int[] position2,
        float[] gate2)
    {
    }

    /** The per-expert network the einsum form runs: [d] → [d]. */
    interface ExpertFunction
    {
        void apply(int expert, float[] in, int inOff, float[] out, int outOff);
    }

    private DenseTop2Reference()
    {
    }

    /**
     * @param rawGates   [G, E] softmax gates
     * @param importance [G] or null
     * @param uniforms   [G] draws of the random policy (ignored by the other policies)
     */
    static Result gate(
        final float[] rawGatesIn, final int g, final int e, final float[] importance, final float[] uniforms,
        final RoutingConfig cfg)
    {
        return gate(rawGatesIn, g, e, importance, uniforms, cfg, null);
    }

    /**
     * As above, with the experts marked in {@code unavailable} given capacity 0 in the
     * {@code position < capacity} masks (a degraded answer); null for none.
     */
    static Result gate(
        final float[] rawGatesIn, final int g, final int e, final float[] importance, final float[] uniforms,
        final RoutingConfig cfg, final boolean[] unavailable)
    {
        final int c = cfg.capacity(g, e);
        final boolean canonical = cfg.normalize() == Normalize.BEFORE_CAPACITY;
        final float[] rawGates = rawGatesIn.clone();

        // index_1, gate_1 = mtf.top_1(raw_gates, experts_dim)   [G]
        final int[] index1 = new int[g];
        final float[] gate1 = new float[g];
        top1(rawGates, g, e, index1, gate1);
        // mask_1 = one_hot(index_1)   [G, E]
        float[] mask1 = oneHot(index1, g, e);
        float[] density1Proxy = rawGates.clone();
        if (canonical && importance != null)
        {
            for (int t = 0; t < g; t++)
            {
                final float eq1 = importance[t] == 1.0f ? 1f : 0f;
                for (int x = 0; x < e; x++)
                {
                    mask1[t * e + x] *= eq1;
                    density1Proxy[t * e + x] *= eq1;
                }
                gate1[t] *= eq1;
            }
        }
        // gates_without_top_1 = raw_gates * (1.0 - mask_1)   [G, E]
        final float[] gatesWithoutTop1 = new float[g * e];
        for (int i = 0; i < g * e; i++)
        {
            gatesWithoutTop1[i] = rawGates[i] * (1.0f - mask1[i]);
        }
        final int[] index2 = new int[g];
        final float[] gate2 = new float[g];
        top1(gatesWithoutTop1, g, e, index2, gate2);
        float[] mask2 = oneHot(index2, g, e);
        if (canonical && importance != null)
        {
            for (int t = 0; t < g; t++)
            {
                final float gt0 = importance[t] > 0.0f ? 1f : 0f;
                for (int x = 0; x < e; x++)
                {
                    mask2[t * e + x] *= gt0;
                }
            }
        }
        if (!canonical && importance != null)
        {
            for (int t = 0; t < g; t++)
            {
                final float maxExperts = importance[t] == 1.0f ? 2f : importance[t] > 0f ? 1f : 0f;
                final float geq1 = maxExperts >= 1.0f ? 1f : 0f;
                final float geq2 = maxExperts >= 2.0f ? 1f : 0f;
                for (int x = 0; x < e; x++)
                {
                    mask1[t * e + x] *= geq1;
                    mask2[t * e + x] *= geq2;
                    rawGates[t * e + x] *= geq1;
                    gatesWithoutTop1[t * e + x] *= geq2;
                }
            }
            density1Proxy = rawGates;
        }
        if (canonical)
        {
            for (int t = 0; t < g; t++)
            {
                final float denom = gate1[t] + gate2[t] + 1e-9f;
                gate1[t] /= denom;
                gate2[t] /= denom;
            }
        }

        // BALANCING LOSSES   [E]
        final float[] density1 = reduceMeanOverGroup(mask1, g, e);
        final float[] density1ProxyMean = reduceMeanOverGroup(density1Proxy, g, e);
        double loss = meanOfProduct(density1ProxyMean, density1) * e * e;
        if (cfg.secondPlaceLoss())
        {
            final float[] density2 = reduceMeanOverGroup(mask2, g, e);
            final float[] normalized = new float[g * e];
            for (int t = 0; t < g; t++)
            {
                float sum = 0f;
                for (int x = 0; x < e; x++)
                {
                    sum += gatesWithoutTop1[t * e + x];
                }
                for (int x = 0; x < e; x++)
                {
                    normalized[t * e + x] = gatesWithoutTop1[t * e + x] / (sum + 1e-9f);
                }
            }
            final float[] density2Proxy = reduceMeanOverGroup(normalized, g, e);
            loss += meanOfProduct(density2Proxy, density2) * e * e * 0.5;
        }

        // SECOND POLICY on mask_2   [G, E]
        final float threshold = (float)cfg.secondThreshold();
        for (int t = 0; t < g; t++)
        {
            final float keep = switch (cfg.secondPolicy())
            {
                case ALL -> 1f;
                case NONE -> 0f;
                case THRESHOLD -> gate2[t] > threshold ? 1f : 0f;
                case RANDOM -> uniforms[t] < gate2[t] / (float)Math.max(cfg.secondThreshold(), 1e-9) ? 1f : 0f;
            };
            for (int x = 0; x < e; x++)
            {
                mask2[t * e + x] *= keep;
            }
        }
        final float[] density2Printed = reduceMeanOverGroup(mask2, g, e);

        // COMPUTE ASSIGNMENT TO EXPERTS
        // position_in_expert_1 = cumsum(mask_1, exclusive) * mask_1   [G, E]
        float[] positionInExpert1 = cumsumExclusive(mask1, g, e);
        multiplyInPlace(positionInExpert1, mask1);
        mask1 = lessThanMask(mask1, positionInExpert1, c, e, unavailable);
        final float[] mask1Count = reduceSumOverGroup(mask1, g, e);          // [E]
        final float[] mask1Flat = reduceSumOverExperts(mask1, g, e);         // [G]
        final float[] position1 = reduceSumOverExperts(positionInExpert1, g, e);
        for (int t = 0; t < g; t++)
        {
            gate1[t] *= mask1Flat[t];
        }
        final float[] positionInExpert2 = cumsumExclusive(mask2, g, e);
        for (int t = 0; t < g; t++)
        {
            for (int x = 0; x < e; x++)
            {
                positionInExpert2[t * e + x] += mask1Count[x];
            }
        }
        multiplyInPlace(positionInExpert2, mask2);
        mask2 = lessThanMask(mask2, positionInExpert2, c, e, unavailable);
        final float[] mask2Flat = reduceSumOverExperts(mask2, g, e);
        for (int t = 0; t < g; t++)
        {
            gate2[t] *= mask2Flat[t];
        }
        final float[] position2 = reduceSumOverExperts(positionInExpert2, g, e);
        if (!canonical)
        {
            for (int t = 0; t < g; t++)
            {
                final float denom = gate1[t] + gate2[t] + 1e-9f;
                gate1[t] /= denom;
                gate2[t] /= denom;
            }
        }

        // combine_tensor   [G, E, C]
        final float[] combine = new float[g * e * c];
        final float[] dispatch = new float[g * e * c];
        for (int t = 0; t < g; t++)
        {
            for (int x = 0; x < e; x++)
            {
                for (int s = 0; s < c; s++)
                {
                    final float first = gate1[t] * mask1Flat[t] * (index1[t] == x ? 1f : 0f) *
                        ((int)position1[t] == s ? 1f : 0f);
                    final float second = gate2[t] * mask2Flat[t] * (index2[t] == x ? 1f : 0f) *
                        ((int)position2[t] == s ? 1f : 0f);
                    combine[(t * e + x) * c + s] = first + second;
                    dispatch[(t * e + x) * c + s] = combine[(t * e + x) * c + s] != 0f ? 1f : 0f;
                }
            }
        }

        final int[] e1 = new int[g];
        final int[] p1 = new int[g];
        final int[] e2 = new int[g];
        final int[] p2 = new int[g];
        for (int t = 0; t < g; t++)
        {
            e1[t] = mask1Flat[t] > 0 ? index1[t] : -1;
            p1[t] = mask1Flat[t] > 0 ? (int)position1[t] : -1;
            e2[t] = mask2Flat[t] > 0 ? index2[t] : -1;
            p2[t] = mask2Flat[t] > 0 ? (int)position2[t] : -1;
        }
        return new Result(c, combine, dispatch, loss, density1, density2Printed, e1, p1, gate1, e2, p2, gate2);
    }

    /**
     * moe_v0's einsums: expert_inputs[E, C, d] = einsum(x, dispatch); expert_outputs = f(expert_inputs);
     * output[G, d] = einsum(expert_outputs, combine).
     */
    static float[] layer(final Result r, final float[] x, final int g, final int e, final int d, final ExpertFunction f)
    {
        final int c = r.capacity();
        final float[] expertInputs = new float[e * c * d];
        for (int x1 = 0; x1 < e; x1++)
        {
            for (int s = 0; s < c; s++)
            {
                for (int t = 0; t < g; t++)
                {
                    final float w = r.dispatch()[(t * e + x1) * c + s];
                    for (int j = 0; j < d; j++)
                    {
                        expertInputs[(x1 * c + s) * d + j] += x[t * d + j] * w;
                    }
                }
            }
        }
        final float[] expertOutputs = new float[e * c * d];
        for (int x1 = 0; x1 < e; x1++)
        {
            for (int s = 0; s < c; s++)
            {
                f.apply(x1, expertInputs, (x1 * c + s) * d, expertOutputs, (x1 * c + s) * d);
            }
        }
        final float[] out = new float[g * d];
        for (int t = 0; t < g; t++)
        {
            for (int x1 = 0; x1 < e; x1++)
            {
                for (int s = 0; s < c; s++)
                {
                    final float w = r.combine()[(t * e + x1) * c + s];
                    for (int j = 0; j < d; j++)
                    {
                        final float product = w * expertOutputs[(x1 * c + s) * d + j];
                        out[t * d + j] += product;
                    }
                }
            }
        }
        return out;
    }

    // mtf.top_1: argmax over experts, the lowest index on ties.
    private static void top1(final float[] v, final int g, final int e, final int[] index, final float[] value)
    {
        for (int t = 0; t < g; t++)
        {
            int best = 0;
            for (int x = 1; x < e; x++)
            {
                if (v[t * e + x] > v[t * e + best])
                {
                    best = x;
                }
            }
            index[t] = best;
            value[t] = v[t * e + best];
        }
    }

    private static float[] oneHot(final int[] index, final int g, final int e)
    {
        final float[] m = new float[g * e];
        for (int t = 0; t < g; t++)
        {
            m[t * e + index[t]] = 1f;
        }
        return m;
    }

    private static float[] cumsumExclusive(final float[] m, final int g, final int e)
    {
        final float[] out = new float[g * e];
        for (int x = 0; x < e; x++)
        {
            float run = 0f;
            for (int t = 0; t < g; t++)
            {
                out[t * e + x] = run;
                run += m[t * e + x];
            }
        }
        return out;
    }

    private static void multiplyInPlace(final float[] a, final float[] b)
    {
        for (int i = 0; i < a.length; i++)
        {
            a[i] *= b[i];
        }
    }

    // mask * (position < capacity[E])   [G, E]
    private static float[] lessThanMask(
        final float[] mask, final float[] position, final int c, final int e, final boolean[] unavailable)
    {
        final float[] out = mask.clone();
        for (int i = 0; i < out.length; i++)
        {
            final int capacity = unavailable != null && unavailable[i % e] ? 0 : c;
            out[i] *= position[i] < capacity ? 1f : 0f;
        }
        return out;
    }

    private static float[] reduceMeanOverGroup(final float[] m, final int g, final int e)
    {
        final float[] out = reduceSumOverGroup(m, g, e);
        for (int x = 0; x < e; x++)
        {
            out[x] /= g;
        }
        return out;
    }

    private static float[] reduceSumOverGroup(final float[] m, final int g, final int e)
    {
        final float[] out = new float[e];
        for (int t = 0; t < g; t++)
        {
            for (int x = 0; x < e; x++)
            {
                out[x] += m[t * e + x];
            }
        }
        return out;
    }

    private static float[] reduceSumOverExperts(final float[] m, final int g, final int e)
    {
        final float[] out = new float[g];
        for (int t = 0; t < g; t++)
        {
            for (int x = 0; x < e; x++)
            {
                out[t] += m[t * e + x];
            }
        }
        return out;
    }

    private static double meanOfProduct(final float[] a, final float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.length; i++)
        {
            s += (double)a[i] * b[i];
        }
        return s / a.length;
    }
}
