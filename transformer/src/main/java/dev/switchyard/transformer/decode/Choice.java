package dev.switchyard.transformer.decode;

/**
 * How one position's id is chosen from its logits (docs/contracts.md §8 item 8): argmax, lowest id on ties, of
 * the logits, or of logit + T·g with Gumbel noise g = −ln(−ln u) in float64, u drawn from SplitMix64 over
 * (seed, row, position, id), so sampling is reproducible wherever it runs.
 */
public final class Choice
{
    private Choice()
    {
    }

    /** SplitMix64's finaliser (64-bit wrap-around). */
    public static long mix(final long x)
    {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The uniform in (0, 1) of (seed, row, position, id). */
    public static double uniform(final long seed, final long row, final long position, final long id)
    {
        final long h = mix(mix(mix(mix(seed) ^ row) ^ position) ^ id);
        return ((h >>> 11) + 0.5) * 0x1.0p-53;
    }

    /** argmax over logits [V] at offset, lowest id on ties. */
    public static int argmax(final float[] logits, final int offset, final int vocab)
    {
        int best = 0;
        float max = logits[offset];
        for (int id = 1; id < vocab; id++)
        {
            if (logits[offset + id] > max)
            {
                max = logits[offset + id];
                best = id;
            }
        }
        return best;
    }

    /** argmax of logit + T·g, lowest id on ties. */
    public static int sample(
        final float[] logits, final int offset, final int vocab, final double temperature, final long seed,
        final int row, final int position)
    {
        int best = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int id = 0; id < vocab; id++)
        {
            final double g = -Math.log(-Math.log(uniform(seed, row, position, id)));
            final double value = logits[offset + id] + temperature * g;
            if (value > max)
            {
                max = value;
                best = id;
            }
        }
        return best;
    }

    /** log_softmax(logits)[id] in float64. */
    public static double logProb(final float[] logits, final int offset, final int vocab, final int id)
    {
        return logits[offset + id] - logSumExp(logits, offset, vocab);
    }

    /** log Σ exp(logits) in float64. */
    public static double logSumExp(final float[] logits, final int offset, final int vocab)
    {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++)
        {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++)
        {
            sum += Math.exp(logits[offset + i] - max);
        }
        return max + Math.log(sum);
    }
}
