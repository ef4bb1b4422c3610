package dev.switchyard.transformer.decoder;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One head's attention on 8-lane vectors gives the bits of the same arithmetic lane by lane (so the
 * bits do not depend on the CPU's vector width), and both agree with softmax attention in double
 * precision. Keys and values interleave two KV heads, windows start anywhere, lengths are not whole
 * vectors.
 */
class AttentionKernelsTest
{
    @Test
    void vectorsGiveTheBitsOfTheLaneByLaneLoopsAndAgreeWithDoubles()
    {
        final SplittableRandom random = new SplittableRandom(5);
        for (final int hd : new int[] {32, 64, 128})
        {
            final int kw = 2 * hd;
            final float scaling = (float)Math.pow(hd, -0.5);
            final AttentionKernels vector = new AttentionKernels(hd, scaling, true);
            final AttentionKernels lanes = new AttentionKernels(hd, scaling, false);
            for (int trial = 0; trial < 40; trial++)
            {
                final int length = 1 + random.nextInt(300);
                final int first = random.nextInt(length);
                final int kvOff = random.nextInt(2) * hd;
                final float[] q = gaussian(random, hd, 3f);
                final float[] keys = gaussian(random, length * kw, 1f);
                final float[] values = gaussian(random, length * kw, 1f);
                vector.ensure(length);
                lanes.ensure(length);
                final float[] a = new float[hd + 3];
                final float[] b = new float[hd + 3];
                vector.attend(q, 0, keys, values, kw, kvOff, first, length - 1, a, 3);
                lanes.attend(q, 0, keys, values, kw, kvOff, first, length - 1, b, 3);
                assertArrayEquals(b, a, "hd " + hd + ", keys " + first + ".." + (length - 1));
                final double[] reference = reference(q, keys, values, kw, kvOff, first, length - 1, hd, scaling);
                for (int x = 0; x < hd; x++)
                {
                    assertTrue(Math.abs(a[3 + x] - reference[x]) <= 1e-5 * (1 + Math.abs(reference[x])),
                        "hd " + hd + ", element " + x + ": " + a[3 + x] + " against " + reference[x]);
                }
            }
        }
    }

    private static double[] reference(final float[] q, final float[] keys, final float[] values, final int kw,
        final int kvOff, final int first, final int last, final int hd, final float scaling)
    {
        final double[] scores = new double[last + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = first; j <= last; j++)
        {
            double dot = 0;
            for (int x = 0; x < hd; x++)
            {
                dot += (double)q[x] * keys[j * kw + kvOff + x];
            }
            scores[j] = dot * scaling;
            max = Math.max(max, scores[j]);
        }
        double sum = 0;
        for (int j = first; j <= last; j++)
        {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
        }
        final double[] out = new double[hd];
        for (int j = first; j <= last; j++)
        {
            for (int x = 0; x < hd; x++)
            {
                out[x] += scores[j] / sum * values[j * kw + kvOff + x];
            }
        }
        return out;
    }

    private static float[] gaussian(final SplittableRandom random, final int n, final float scale)
    {
        final float[] x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)(random.nextGaussian() * scale);
        }
        return x;
    }
}
