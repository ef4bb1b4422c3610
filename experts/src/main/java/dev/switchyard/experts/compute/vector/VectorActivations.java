package dev.switchyard.experts.compute.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import static dev.switchyard.experts.compute.vector.KernelGeometry.S;

/**
 * Pointwise activations on vectors, built only from IEEE-exact operations (add, mul, fma, div, min, max,
 * integer bit moves). The Vector API's own EXP is not used on purpose: its compiled form (SVML) and its
 * interpreted form (Math.exp per lane) may differ in the last bit, so one input could give two outputs
 * depending on the JIT's state. These give the same bits everywhere.
 */
final class VectorActivations
{
    private static final float EXP_LO = -87.0f;
    private static final float EXP_HI = 88.0f;
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
    /** −2·√(2/π): h·σ(−GELU_K·(h + 0.044715·h³)) is the tanh-approximated GELU. */
    private static final float GELU_K = -1.5957691216057308f;
    private static final float GELU_K3 = GELU_K * 0.044715f;

    private VectorActivations()
    {
    }

    static FloatVector relu(final FloatVector h)
    {
        return h.max(0.0f);
    }

    /** h·σ(h) = h / (1 + e^(−h)). */
    static FloatVector silu(final FloatVector h)
    {
        return h.div(exp(h.neg()).add(1.0f));
    }

    /** h / (1 + e^(−2·√(2/π)·(h + 0.044715·h³))) = 0.5·h·(1 + tanh(√(2/π)·(h + 0.044715·h³))). */
    static FloatVector gelu(final FloatVector h)
    {
        final FloatVector arg = h.mul(h).fma(GELU_K3, GELU_K).mul(h);
        return h.div(exp(arg).add(1.0f));
    }

    /**
     * eˣ within 2 ulp for x in [−87, 88]; x is clamped to that range first (e^−87 ≈ 1.6e−38 and
     * e^88 ≈ 1.7e38 both stay normal floats, so callers dividing by 1 + eˣ get 0 or h, never NaN).
     */
    static FloatVector exp(final FloatVector xIn)
    {
        final FloatVector x = xIn.max(EXP_LO).min(EXP_HI);
        final FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
        final FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(S, P2));
        p = p.fma(r, FloatVector.broadcast(S, P3));
        p = p.fma(r, FloatVector.broadcast(S, P4));
        p = p.fma(r, FloatVector.broadcast(S, P5));
        final FloatVector er = p.fma(r.mul(r), r.add(1.0f));
        final IntVector exponent = t.reinterpretAsInts()
            .sub(ROUND_MAGIC_BITS - 127)
            .lanewise(VectorOperators.LSHL, 23);
        return er.mul(exponent.reinterpretAsFloats());
    }
}
