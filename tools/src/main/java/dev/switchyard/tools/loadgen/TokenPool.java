package dev.switchyard.tools.loadgen;

import java.util.SplittableRandom;

/**
 * The token rows generated traffic is cut from, made once from the seed so that a request only
 * copies rows. Without a router every row is N(0, 1). With the model's router [E, d_model] and a
 * skew Z, each expert e gets rows N(0, 1) + 4·Wᵣ[e]/|Wᵣ[e]| that its router row prefers, and a token
 * picks its expert with Zipf weights 1/(rank + 1)^Z over a seeded ranking of the experts: the
 * gateway's own gating then sends most tokens to a few hot experts, and capacity drops follow.
 */
final class TokenPool
{
    private static final int ROWS_PER_EXPERT = 64;
    private static final int PLAIN_ROWS = 1024;
    private static final double PULL = 4.0;

    private final int d;
    private final float[][] rows;     // [experts or 1][rows, d]
    private final double[] cumulative; // [experts] Zipf weights, cumulative, last = 1

    /**
     * @param router [E, d] row-major, or null for plain rows
     */
    TokenPool(final int d, final float[] router, final int experts, final double skew, final SplittableRandom random)
    {
        this.d = d;
        if (router == null)
        {
            rows = new float[][] {gaussian(PLAIN_ROWS * d, random)};
            cumulative = new double[] {1.0};
            return;
        }
        rows = new float[experts][];
        for (int e = 0; e < experts; e++)
        {
            double norm = 0;
            for (int j = 0; j < d; j++)
            {
                norm += (double)router[e * d + j] * router[e * d + j];
            }
            final double scale = PULL / Math.max(1e-12, Math.sqrt(norm));
            final float[] block = gaussian(ROWS_PER_EXPERT * d, random);
            for (int r = 0; r < ROWS_PER_EXPERT; r++)
            {
                for (int j = 0; j < d; j++)
                {
                    block[r * d + j] += (float)(router[e * d + j] * scale);
                }
            }
            rows[e] = block;
        }
        // Seeded ranking: which expert is hottest does not depend on its index.
        final int[] rank = new int[experts];
        for (int i = 0; i < experts; i++)
        {
            rank[i] = i;
        }
        for (int i = experts - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = rank[i];
            rank[i] = rank[j];
            rank[j] = t;
        }
        final double[] weight = new double[experts];
        double total = 0;
        for (int r = 0; r < experts; r++)
        {
            weight[rank[r]] = 1.0 / Math.pow(r + 1, skew);
            total += weight[rank[r]];
        }
        cumulative = new double[experts];
        double sum = 0;
        for (int e = 0; e < experts; e++)
        {
            sum += weight[e] / total;
            cumulative[e] = sum;
        }
        cumulative[experts - 1] = 1.0;
    }

    /** Fills tokens [rows, d] with rows drawn from the pool. */
    void fill(final float[] tokens, final int count, final SplittableRandom random)
    {
        for (int t = 0; t < count; t++)
        {
            final float[] block = rows[expert(random.nextDouble())];
            final int row = random.nextInt(block.length / d);
            System.arraycopy(block, row * d, tokens, t * d, d);
        }
    }

    private int expert(final double u)
    {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (u < cumulative[mid])
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static float[] gaussian(final int n, final SplittableRandom random)
    {
        final float[] x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)random.nextGaussian();
        }
        return x;
    }
}
