package dev.switchyard.model.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * eˣ in float32 built only from IEEE-exact operations (fma, add, mul, min, max, integer bit moves): a
 * Cody-Waite reduction and the Cephes expf polynomial. The Vector API's own EXP is not used on purpose:
 * its compiled form (SVML) and its interpreted form may differ in the last bit, so one input could give
 * two outputs depending on the JIT's state. A vector lane and {@link #exp(float)} give the same bits,
 * compiled or interpreted, on any vector width.
 * <p>
 * Within 2 ulp for x in [−87.34, 88]; x is clamped to that range first (e^−87.34 ≈ 1.2e−38 and
 * e^88 ≈ 1.7e38 both stay finite and positive, so callers dividing by 1 + eˣ get 0 or h, never NaN).
 */
public final class ExactExp
{
    /** e^MIN_ARG is the smallest normal float. */
    public static final float MIN_ARG = -87.33654f;
    public static final float MAX_ARG = 88.0f;

    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2²³: adding it rounds a float of magnitude below 2²² to an integer held in the low mantissa bits. */
    private static final float ROUND_MAGIC = 12582912.0f;
    private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);
    /** ln 2 split in two so that n·LN2_HI is exact (Cephes). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Minimax polynomial of (eʳ − 1 − r)/r² on [−ln2/2, ln2/2] (Cephes expf). */
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private ExactExp()
    {
    }

    public static FloatVector exp(final FloatVector xIn)
    {
        final FloatVector x = xIn.max(MIN_ARG).min(MAX_ARG);
        final FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
        final FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(x.species(), -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(x.species(), -LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(x.species(), P2));
        p = p.fma(r, FloatVector.broadcast(x.species(), P3));
        p = p.fma(r, FloatVector.broadcast(x.species(), P4));
        p = p.fma(r, FloatVector.broadcast(x.species(), P5));
        final FloatVector er = p.fma(r.mul(r), r.add(1.0f));
        final IntVector exponent = t.reinterpretAsInts()
            .sub(ROUND_MAGIC_BITS - 127)
            .lanewise(VectorOperators.LSHL, 23);
        return er.mul(exponent.reinterpretAsFloats());
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations in the same order. */
    public static float exp(final float xIn)
    {
        final float x = Math.min(Math.max(xIn, MIN_ARG), MAX_ARG);
        final float t = Math.fma(x, LOG2E, ROUND_MAGIC);
        final float n = t - ROUND_MAGIC;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        final float er = Math.fma(p, r * r, r + 1.0f);
        final int exponent = (Float.floatToRawIntBits(t) - (ROUND_MAGIC_BITS - 127)) << 23;
        return er * Float.intBitsToFloat(exponent);
    }
}
