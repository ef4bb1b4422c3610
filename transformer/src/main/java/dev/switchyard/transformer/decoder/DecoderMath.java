package dev.switchyard.transformer.decoder;

/** The float32 building blocks of the decoder: RMSNorm and a linear layer over rows. */
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

    /**
     * y = x·Wᵀ (+ b), each output one dot product in input order.
     *
     * @param x    [rows, in]
     * @param w    [out, in]
     * @param bias [out] or null
     * @param y    [rows, out] overwritten
     */
    static void linear(final float[] x, final int rows, final float[] w, final float[] bias, final int in,
        final int out, final float[] y)
    {
        for (int r = 0; r < rows; r++)
        {
            final int xo = r * in;
            for (int o = 0; o < out; o++)
            {
                final int wo = o * in;
                float dot = 0f;
                for (int i = 0; i < in; i++)
                {
                    dot = Math.fma(x[xo + i], w[wo + i], dot);
                }
                y[r * out + o] = bias == null ? dot : dot + bias[o];
            }
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

    /** silu(g) = g · sigmoid(g), as torch's float32 silu. */
    static float silu(final float g)
    {
        return g / (1f + (float)Math.exp(-g));
    }
}
