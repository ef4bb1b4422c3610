package dev.switchyard.compute.router;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.routing.gating.Softmax;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RouterProjectionTest
{
    private static RouterProjection projection(final SplittableRandom r, final int experts, final int d, final float[] w)
    {
        for (int i = 0; i < w.length; i++)
        {
            w[i] = (float)r.nextGaussian();
        }
        return new RouterProjection(new F32Tensor("router.weight", new long[] {experts, d}, MemorySegment.ofArray(w)));
    }

    @Test
    void logitsMatchADoublePrecisionProductOnEveryShape()
    {
        final SplittableRandom r = new SplittableRandom(3);
        for (final int d : new int[] {1, 3, 15, 16, 17, 64, 100})
        {
            for (final int experts : new int[] {2, 3, 4, 5, 9})
            {
                final float[] w = new float[experts * d];
                final RouterProjection p = projection(r, experts, d, w);
                final int tokens = 5;
                final float[] x = new float[tokens * d];
                for (int i = 0; i < x.length; i++)
                {
                    x[i] = (float)r.nextGaussian();
                }
                final float[] logits = new float[tokens * experts];
                p.logits(x, 0, tokens, logits);
                for (int t = 0; t < tokens; t++)
                {
                    for (int e = 0; e < experts; e++)
                    {
                        double exact = 0;
                        double magnitude = 0;
                        for (int j = 0; j < d; j++)
                        {
                            exact += (double)x[t * d + j] * w[e * d + j];
                            magnitude += Math.abs((double)x[t * d + j] * w[e * d + j]);
                        }
                        assertEquals(exact, logits[t * experts + e], 1e-6 * magnitude + 1e-7,
                            "d=" + d + " E=" + experts + " token " + t + " expert " + e);
                    }
                }
            }
        }
    }

    @Test
    void everyLogitIsTheScalarFusedMultiplyAddChain()
    {
        final SplittableRandom r = new SplittableRandom(9);
        for (final int experts : new int[] {2, 5, 16, 17, 64})
        {
            final int d = 1 + r.nextInt(70);
            final float[] w = new float[experts * d];
            final RouterProjection p = projection(r, experts, d, w);
            final int tokens = 1 + r.nextInt(11);
            final float[] x = new float[tokens * d];
            for (int i = 0; i < x.length; i++)
            {
                x[i] = (float)r.nextGaussian();
            }
            final float[] logits = new float[tokens * experts];
            p.logits(x, 0, tokens, logits);
            for (int t = 0; t < tokens; t++)
            {
                for (int e = 0; e < experts; e++)
                {
                    float s = 0f;
                    for (int j = 0; j < d; j++)
                    {
                        s = Math.fma(x[t * d + j], w[e * d + j], s);
                    }
                    assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(logits[t * experts + e]),
                        "E=" + experts + " d=" + d + " token " + t + " expert " + e);
                }
            }
        }
    }

    @Test
    void aTokensGatesDoNotDependOnItsGroup()
    {
        final SplittableRandom r = new SplittableRandom(5);
        final int experts = 7;
        final int d = 37;
        final RouterProjection p = projection(r, experts, d, new float[experts * d]);
        final int tokens = 9;
        final float[] x = new float[tokens * d];
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)r.nextGaussian();
        }
        final float[] all = new float[tokens * experts];
        p.gates(x, 0, tokens, all);
        final float[] one = new float[experts];
        for (int t = 0; t < tokens; t++)
        {
            p.gates(x, t * d, 1, one);
            for (int e = 0; e < experts; e++)
            {
                assertEquals(Float.floatToRawIntBits(all[t * experts + e]), Float.floatToRawIntBits(one[e]));
            }
        }
    }

    @Test
    void softmaxSumsToOneAndSurvivesHugeLogits()
    {
        final float[] row = {1000f, 999f, -1000f};
        Softmax.inPlace(row, 0, 3);
        assertEquals(1.0, row[0] + row[1] + row[2], 1e-6);
        assertEquals(0f, row[2]);
        assertEquals(true, row[0] > row[1]);
    }
}
