package dev.switchyard.router.gating;

/**
 * Float32 softmax over the experts of one token, the way every path in Switchyard computes it,
 * so that gates (and therefore routing) are bit-identical wherever a token is routed.
 */
public final class Softmax
{
    private Softmax()
    {
    }

    /** In place: row[off .. off+n) holds logits on entry and gates on return. */
    public static void inPlace(final float[] row, final int off, final int n)
    {
        float max = row[off];
        for (int e = 1; e < n; e++)
        {
            max = Math.max(max, row[off + e]);
        }
        float sum = 0f;
        for (int e = 0; e < n; e++)
        {
            final float v = (float)Math.exp(row[off + e] - max);
            row[off + e] = v;
            sum += v;
        }
        for (int e = 0; e < n; e++)
        {
            row[off + e] = row[off + e] / sum;
        }
    }
}
