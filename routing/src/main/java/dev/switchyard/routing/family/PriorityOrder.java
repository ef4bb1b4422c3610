package dev.switchyard.routing.family;

/**
 * Tokens in descending priority, equal priorities in token order: a bottom-up merge sort over indices
 * into reused buffers, so ordering a group allocates nothing once the buffers fit it.
 */
final class PriorityOrder
{
    private int[] order = new int[0];
    private int[] spare = new int[0];

    /** The order of tokens [0, n) by descending key[t]; valid until the next call. */
    int[] sort(final float[] key, final int n)
    {
        if (order.length < n)
        {
            order = new int[n];
            spare = new int[n];
        }
        for (int t = 0; t < n; t++)
        {
            order[t] = t;
        }
        int[] from = order;
        int[] to = spare;
        for (int width = 1; width < n; width *= 2)
        {
            for (int lo = 0; lo < n; lo += 2 * width)
            {
                merge(key, from, to, lo, Math.min(lo + width, n), Math.min(lo + 2 * width, n));
            }
            final int[] swap = from;
            from = to;
            to = swap;
        }
        order = from;
        spare = to;
        return order;
    }

    /** Merges from[lo, mid) and from[mid, hi) into to[lo, hi); the left run wins ties (stable). */
    private static void merge(final float[] key, final int[] from, final int[] to, final int lo, final int mid,
                              final int hi)
    {
        int i = lo;
        int j = mid;
        for (int o = lo; o < hi; o++)
        {
            if (j >= hi || (i < mid && key[from[i]] >= key[from[j]]))
            {
                to[o] = from[i++];
            }
            else
            {
                to[o] = from[j++];
            }
        }
    }
}
