package dev.switchyard.transformer.decoder;

/** The float32 building blocks of the decoder that are not products: RMSNorm and the residual add. */
final class DecoderMath
{
    private DecoderMath()
    {
    }

    /**
     * out = weight · (x · rsqrt(mean(x²) + eps)) over {@code n} values, as the reference computes it: the
     * variance and its reciprocal square root in float32, the weight applied last.
     */
    static void rmsNorm(final float[] x, final int off, final int n, final float[] weight, final float eps,
        final float[] out, final int outOff)
    {
        float sum = 0f;
        for (int i = 0; i < n; i++)
        {
            sum = Math.fma(x[off + i], x[off + i], sum);
        }
        final float variance = sum / n;
        final float scale = (float)(1.0 / Math.sqrt(variance + eps));
        for (int i = 0; i < n; i++)
        {
            out[outOff + i] = weight[i] * (x[off + i] * scale);
        }
    }

    /** x[i] += b[i] over {@code n} values: the residual add. */
    static void addInto(final float[] x, final float[] b, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            x[i] += b[i];
        }
    }
}
