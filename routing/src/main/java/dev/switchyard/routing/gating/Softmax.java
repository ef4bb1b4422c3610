package dev.switchyard.routing.gating;

import dev.switchyard.model.tensor.ExactExp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 softmax over the experts of one token, the way every path in Switchyard computes it.
 * <p>
 * exp is {@link ExactExp}, so a vector lane and the scalar tail give the same bits, compiled or
 * interpreted, on any vector width; a gate below the smallest normal float is zero. The sum runs in
 * expert order.
 */
public final class Softmax
{
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

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
        final int bound = SPECIES.loopBound(n);
        int e = 0;
        for (; e < bound; e += SPECIES.length())
        {
            final FloatVector v = FloatVector.fromArray(SPECIES, row, off + e).sub(max);
            exp(v).intoArray(row, off + e);
        }
        for (; e < n; e++)
        {
            row[off + e] = exp(row[off + e] - max);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++)
        {
            sum += row[off + i];
        }
        e = 0;
        for (; e < bound; e += SPECIES.length())
        {
            FloatVector.fromArray(SPECIES, row, off + e).div(sum).intoArray(row, off + e);
        }
        for (; e < n; e++)
        {
            row[off + e] = row[off + e] / sum;
        }
    }

    /** exp(x) for x ≤ 0, zero where it would not be a normal float: the scalar twin of the vector form. */
    static float exp(final float x)
    {
        return x < ExactExp.MIN_ARG ? 0f : ExactExp.exp(x);
    }

    private static FloatVector exp(final FloatVector x)
    {
        return ExactExp.exp(x).blend(0f, x.lt(ExactExp.MIN_ARG));
    }
}
