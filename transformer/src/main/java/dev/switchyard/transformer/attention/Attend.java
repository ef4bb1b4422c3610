package dev.switchyard.transformer.attention;

import dev.switchyard.compute.math.VectorMath;

/**
 * One query's multi-head attention over a memory (docs/contracts.md §8 item 3): per head h,
 * w = softmax_j(q_h · k_h[j] + bias) (no 1/√K: the seed keeps it in the initialiser) and
 * out_h = Σ_j w_j · v_h[j], heads concatenated.
 */
public final class Attend
{
    private Attend()
    {
    }

    /**
     * @param q        [H·K] at qOff
     * @param scores   scratch of at least the memory length
     * @param seen     scratch of at least the memory length
     * @param out      [H·K] at outOff, overwritten
     * @param querySeg the query's segment (read only when the memory has segments)
     */
    public static void query(
        final float[] q, final int qOff, final int queryPos, final int querySeg, final Visibility rule,
        final int window, final Memory memory, final int memSlot, final int heads, final int kv,
        final float[] scores, final boolean[] seen, final float[] out, final int outOff)
    {
        final KvStore store = memory.store();
        final int cap = store.capacity();
        final int length = memory.length();
        final int first = rule.first(queryPos, window);
        final int end = rule.end(queryPos, length);
        final int meta = memSlot * cap;
        int count = 0;
        for (int j = first; j < end; j++)
        {
            final boolean v = visible(rule, memory, meta + j, querySeg);
            seen[j] = v;
            count += v ? 1 : 0;
        }
        final float[] keys = store.keys();
        final float[] values = store.values();
        java.util.Arrays.fill(out, outOff, outOff + heads * kv, 0f);
        for (int h = 0; h < heads; h++)
        {
            final int base = store.base(memSlot, h);
            final int qh = qOff + h * kv;
            final int oh = outOff + h * kv;
            if (count == 0)
            {
                uniform(rule, memory, meta, querySeg, values, base, kv, out, oh);
                continue;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = first; j < end; j++)
            {
                if (seen[j])
                {
                    final float logit = VectorMath.dot(q, qh, keys, base + j * kv, kv);
                    scores[j] = logit;
                    max = Math.max(max, logit);
                }
            }
            float sum = 0f;
            for (int j = first; j < end; j++)
            {
                if (seen[j])
                {
                    final float e = (float)Math.exp(scores[j] - max);
                    scores[j] = e;
                    sum += e;
                }
            }
            final float inv = 1f / sum;
            for (int j = first; j < end; j++)
            {
                if (seen[j])
                {
                    VectorMath.axpy(scores[j] * inv, values, base + j * kv, out, oh, kv);
                }
            }
        }
    }

    /**
     * A query that sees nothing: every position carries −1e9 once or more, and in float32 a logit that small
     * is the bias alone, so the weights are uniform over the positions with the fewest biases (all of them
     * for a padding query).
     */
    private static void uniform(final Visibility rule, final Memory memory, final int meta, final int querySeg,
        final float[] values, final int base, final int kv, final float[] out, final int oh)
    {
        final int length = memory.length();
        int fewest = Integer.MAX_VALUE;
        int count = 0;
        for (int j = 0; j < length; j++)
        {
            final int biases = biases(rule, memory, meta + j, querySeg);
            if (biases < fewest)
            {
                fewest = biases;
                count = 0;
            }
            count += biases == fewest ? 1 : 0;
        }
        final float w = 1f / count;
        for (int j = 0; j < length; j++)
        {
            if (biases(rule, memory, meta + j, querySeg) == fewest)
            {
                VectorMath.axpy(w, values, base + j * kv, out, oh, kv);
            }
        }
    }

    private static int biases(final Visibility rule, final Memory memory, final int at, final int querySeg)
    {
        return (rule == Visibility.NON_PADDING && memory.ids()[at] == 0 ? 1 : 0) +
            (memory.segments() != null && memory.segments()[at] != querySeg ? 1 : 0);
    }

    private static boolean visible(final Visibility rule, final Memory memory, final int at, final int querySeg)
    {
        if (rule == Visibility.NON_PADDING && memory.ids()[at] == 0)
        {
            return false;
        }
        return memory.segments() == null || memory.segments()[at] == querySeg;
    }
}
