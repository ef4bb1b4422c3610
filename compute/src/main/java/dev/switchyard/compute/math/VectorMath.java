package dev.switchyard.compute.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The small Vector API loops of attention and normalisation. Each result is one fixed sequence of float
 * operations over its inputs, interpreted or compiled, so the same row gives the same bits in a full
 * forward and in a decode step, in process and beside the serving system.
 */
public final class VectorMath
{
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorMath()
    {
    }

    /** Σ a[i]·b[i] over n floats. */
    public static float dot(final float[] a, final int aOff, final float[] b, final int bOff, final int n)
    {
        int i = 0;
        float sum = 0f;
        if (n >= S.length())
        {
            FloatVector acc = FloatVector.zero(S);
            for (final int upper = S.loopBound(n); i < upper; i += S.length())
            {
                acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
            }
            // Lanes summed in a fixed order: reduceLanes may associate differently once compiled, and a
            // row must give the same bits whenever and wherever it is computed.
            for (int lane = 0; lane < S.length(); lane++)
            {
                sum += acc.lane(lane);
            }
        }
        for (; i < n; i++)
        {
            sum = Math.fma(a[aOff + i], b[bOff + i], sum);
        }
        return sum;
    }

    /** y[i] += w·x[i] over n floats. */
    public static void axpy(final float w, final float[] x, final int xOff, final float[] y, final int yOff,
        final int n)
    {
        int i = 0;
        final FloatVector wv = FloatVector.broadcast(S, w);
        for (final int upper = S.loopBound(n); i < upper; i += S.length())
        {
            FloatVector.fromArray(S, x, xOff + i).fma(wv, FloatVector.fromArray(S, y, yOff + i))
                .intoArray(y, yOff + i);
        }
        for (; i < n; i++)
        {
            y[yOff + i] = Math.fma(x[xOff + i], w, y[yOff + i]);
        }
    }

    /** y[i] += x[i] over n floats. */
    public static void add(final float[] x, final int xOff, final float[] y, final int yOff, final int n)
    {
        int i = 0;
        for (final int upper = S.loopBound(n); i < upper; i += S.length())
        {
            FloatVector.fromArray(S, x, xOff + i).add(FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++)
        {
            y[yOff + i] += x[xOff + i];
        }
    }

    /**
     * The seed's RMS normalisation of one row: out = x · rsqrt(mean(x²) + eps) · scale.
     *
     * @param x     [d] at xOff
     * @param scale [d] at scaleOff
     * @param out   [d] at outOff (may be x)
     */
    public static void rmsNorm(
        final float[] x, final int xOff, final float[] scale, final int scaleOff, final float eps,
        final float[] out, final int outOff, final int d)
    {
        final float meanSquare = dot(x, xOff, x, xOff, d) / d;
        final float r = (float)(1.0 / Math.sqrt(meanSquare + eps));
        int i = 0;
        final FloatVector rv = FloatVector.broadcast(S, r);
        for (final int upper = S.loopBound(d); i < upper; i += S.length())
        {
            FloatVector.fromArray(S, x, xOff + i).mul(rv).mul(FloatVector.fromArray(S, scale, scaleOff + i))
                .intoArray(out, outOff + i);
        }
        for (; i < d; i++)
        {
            out[outOff + i] = x[xOff + i] * r * scale[scaleOff + i];
        }
    }
}
