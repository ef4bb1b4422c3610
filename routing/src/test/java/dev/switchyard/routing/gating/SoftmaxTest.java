package dev.switchyard.routing.gating;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoftmaxTest
{
    @Test
    void expIsWithinTwoUlpOfTheTrueValue()
    {
        final SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++)
        {
            final float x = i < 100 ? -i * 0.5f : (float)(-r.nextDouble() * 87.3);
            final double exact = Math.exp(x);
            final float got = Softmax.exp(x);
            assertTrue(Math.abs(got - exact) <= 2 * Math.ulp((float)exact), "exp(" + x + ") = " + got + ", exact " + exact);
        }
        assertEquals(1f, Softmax.exp(0f));
        assertEquals(0f, Softmax.exp(-200f));
        assertEquals(0f, Softmax.exp(Float.NEGATIVE_INFINITY));
    }

    @Test
    void vectorLanesGiveTheScalarBitsOnEveryLength()
    {
        final SplittableRandom r = new SplittableRandom(2);
        for (int n = 1; n <= 70; n++)
        {
            for (int rep = 0; rep < 20; rep++)
            {
                final float[] row = new float[n + 3];
                for (int e = 0; e < row.length; e++)
                {
                    row[e] = (float)(r.nextGaussian() * (rep % 2 == 0 ? 2 : 40));
                }
                final float[] expected = row.clone();
                float max = expected[1];
                for (int e = 1; e <= n; e++)
                {
                    max = Math.max(max, expected[e]);
                }
                float sum = 0f;
                for (int e = 1; e <= n; e++)
                {
                    expected[e] = Softmax.exp(expected[e] - max);
                    sum += expected[e];
                }
                for (int e = 1; e <= n; e++)
                {
                    expected[e] = expected[e] / sum;
                }
                Softmax.inPlace(row, 1, n);
                for (int e = 0; e < row.length; e++)
                {
                    assertEquals(Float.floatToRawIntBits(expected[e]), Float.floatToRawIntBits(row[e]), "n=" + n + " e=" + e);
                }
            }
        }
    }

    @Test
    void gatesMatchADoublePrecisionSoftmax()
    {
        final SplittableRandom r = new SplittableRandom(3);
        for (int rep = 0; rep < 1000; rep++)
        {
            final int n = 2 + r.nextInt(64);
            final float[] row = new float[n];
            for (int e = 0; e < n; e++)
            {
                row[e] = (float)(r.nextGaussian() * 3);
            }
            final double[] exact = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (final float v : row)
            {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int e = 0; e < n; e++)
            {
                exact[e] = Math.exp(row[e] - max);
                sum += exact[e];
            }
            Softmax.inPlace(row, 0, n);
            for (int e = 0; e < n; e++)
            {
                assertEquals(exact[e] / sum, row[e], 1e-6 * (exact[e] / sum) + 1e-12);
            }
        }
    }
}
