package dev.switchyard.routing.family;

/**
 * Top-k selection over one row: the k largest in descending order, the lowest index first among equal
 * values (as argmax). k passes over the row: k ≤ 8 and E in the hundreds make that cheaper than a heap.
 */
final class TopK
{
    private TopK()
    {
    }

    /**
     * @param row   scores [n] from off; −∞ allowed, NaN not
     * @param out   [k] out: the chosen indices, relative to off, best first
     * @param taken [n] scratch, all false on entry and on return
     */
    static void select(final float[] row, final int off, final int n, final int k, final int[] out,
                       final boolean[] taken)
    {
        for (int j = 0; j < k; j++)
        {
            int best = -1;
            for (int e = 0; e < n; e++)
            {
                if (!taken[e] && (best < 0 || row[off + e] > row[off + best]))
                {
                    best = e;
                }
            }
            out[j] = best;
            taken[best] = true;
        }
        for (int j = 0; j < k; j++)
        {
            taken[out[j]] = false;
        }
    }

    /** The first index of the largest value in row[off .. off+n). */
    static int argmax(final float[] row, final int off, final int n)
    {
        int best = 0;
        for (int e = 1; e < n; e++)
        {
            if (row[off + e] > row[off + best])
            {
                best = e;
            }
        }
        return best;
    }
}
