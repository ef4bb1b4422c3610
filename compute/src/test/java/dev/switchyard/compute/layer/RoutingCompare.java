package dev.switchyard.compute.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Two routings of the same tokens: the same experts and drops, gates within 1e-6 · max|gate|. */
final class RoutingCompare
{
    private RoutingCompare()
    {
    }

    /** @param asSets compare each token's entries as (expert, gate) pairs in any order (DeepSeek's topk is unsorted) */
    static void assertSame(final String where, final int tokens, final int k, final int[] refExpert,
        final float[] refGate, final int[] expert, final float[] gate, final boolean asSets)
    {
        double max = 0;
        for (final float g : refGate)
        {
            max = Math.max(max, Math.abs(g));
        }
        for (int t = 0; t < tokens; t++)
        {
            for (int i = 0; i < k; i++)
            {
                final int e = refExpert[t * k + i];
                final int at = asSets ? find(expert, t, k, e) : t * k + i;
                if (at < 0 || expert[at] != e)
                {
                    fail(where + ": token " + t + " entry " + i + " is expert " + (at < 0 ? "(none)" : expert[at]) +
                        ", the reference's " + e);
                }
                assertTrue(Math.abs(gate[at] - refGate[t * k + i]) <= 1e-6 * max, where + ": token " + t +
                    " expert " + e + " gate " + gate[at] + ", the reference's " + refGate[t * k + i]);
            }
        }
        assertEquals(refExpert.length, expert.length, where + ": entries");
    }

    private static int find(final int[] expert, final int t, final int k, final int e)
    {
        for (int i = 0; i < k; i++)
        {
            if (expert[t * k + i] == e)
            {
                return t * k + i;
            }
        }
        return -1;
    }
}
