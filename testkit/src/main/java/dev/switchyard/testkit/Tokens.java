package dev.switchyard.testkit;

import java.util.SplittableRandom;

/** Seeded token inputs: the same seed gives the same tokens on every run and every machine. */
public final class Tokens
{
    private Tokens()
    {
    }

    /**
     * {@code rows} tokens of {@code d} values each, row-major ({@code [rows, d]}), drawn from a standard normal
     * distribution by a {@link SplittableRandom} seeded with {@code seed}, in order.
     */
    public static float[] gaussian(final int rows, final int d, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final float[] x = new float[rows * d];
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)random.nextGaussian();
        }
        return x;
    }
}
