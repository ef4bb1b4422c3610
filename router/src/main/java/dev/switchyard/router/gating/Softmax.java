package dev.switchyard.router.gating;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 softmax over the experts of one token, the way every path in Switchyard computes it.
 * <p>
 * exp is a Cody-Waite reduction and a degree-6 polynomial built only from lanewise IEEE operations
 * (fma, multiply, add, conversions), so a vector lane and the scalar tail give the same bits, compiled
 * or interpreted, on any vector width. The Vector API's own EXP gives no such promise. The sum runs in
 * expert order. Accuracy: within 2 ulp of exp for the arguments a softmax sees (x - max ≤ 0).
 */
public final class Softmax
{
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    // Below this exp(x) is subnormal or zero: a gate that small is zero for routing.
    private static final float MIN_ARG = -87.33654f;
    // Adding and subtracting 1.5·2²³ rounds a float of magnitude below 2²² to the nearest integer.
    private static final float ROUNDER = 12582912f;
    // Minimax coefficients of (exp(r) - 1 - r) / r² on |r| ≤ ln2/2 (Cephes expf).
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

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

    /** exp(x) for x ≤ 0 (0 below {@value #MIN_ARG}); the scalar twin of the vector form. */
    static float exp(final float x)
    {
        if (x < MIN_ARG)
        {
            return 0f;
        }
        final float n = (x * LOG2E + ROUNDER) - ROUNDER;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(P0, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        final float r2 = r * r;
        final float er = Math.fma(p, r2, r) + 1f;
        return er * Float.intBitsToFloat(((int)n + 127) << 23);
    }

    private static FloatVector exp(final FloatVector x)
    {
        final VectorMask<Float> tooSmall = x.lt(MIN_ARG);
        final FloatVector n = x.mul(LOG2E).add(ROUNDER).sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(SPECIES, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(SPECIES, P0).fma(r, FloatVector.broadcast(SPECIES, P1));
        p = p.fma(r, FloatVector.broadcast(SPECIES, P2));
        p = p.fma(r, FloatVector.broadcast(SPECIES, P3));
        p = p.fma(r, FloatVector.broadcast(SPECIES, P4));
        p = p.fma(r, FloatVector.broadcast(SPECIES, P5));
        final FloatVector r2 = r.mul(r);
        final FloatVector er = p.fma(r2, r).add(1f);
        final IntVector bits = ((IntVector)n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        final FloatVector scale = bits.reinterpretAsFloats();
        return er.mul(scale).blend(0f, tooSmall);
    }
}
