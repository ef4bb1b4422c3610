package dev.switchyard.transformer.decoder;

/**
 * The default rotary position embedding of transformers (no scaling), rotate-half convention: a head's
 * vector x [headDim] at position p becomes x·cos + rotate_half(x)·sin, where rotate_half(x) = (−x₂, x₁)
 * for the halves x₁, x₂ and the angle of dimension j is p · θ^(−2(j mod headDim/2)/headDim), all in
 * float32 as the reference.
 */
final class Rope
{
    private final int headDim;
    private final float[] invFreq; // [headDim / 2]

    Rope(final int headDim, final double theta)
    {
        this.headDim = headDim;
        this.invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++)
        {
            final float exponent = (float)(2 * i) / headDim;
            invFreq[i] = 1f / (float)Math.pow((float)theta, exponent);
        }
    }

    /** Rotates {@code heads} consecutive head vectors of x, starting at {@code off}, to position p. */
    void apply(final float[] x, final int off, final int heads, final int position, final float[] scratch)
    {
        final int half = headDim / 2;
        for (int i = 0; i < half; i++)
        {
            final float angle = invFreq[i] * position;
            scratch[i] = (float)Math.cos(angle);
            scratch[half + i] = (float)Math.sin(angle);
        }
        for (int h = 0; h < heads; h++)
        {
            final int base = off + h * headDim;
            for (int i = 0; i < half; i++)
            {
                final float x1 = x[base + i];
                final float x2 = x[base + half + i];
                final float c = scratch[i];
                final float s = scratch[half + i];
                x[base + i] = x1 * c + -x2 * s;
                x[base + half + i] = x2 * c + x1 * s;
            }
        }
    }
}
