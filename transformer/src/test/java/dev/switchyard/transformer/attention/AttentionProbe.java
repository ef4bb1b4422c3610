package dev.switchyard.transformer.attention;


import java.util.SplittableRandom;

import dev.switchyard.compute.math.VectorMath;

/** Prints the bits of a norm and an attention query, after warming them {@code args[0]} times. */
public final class AttentionProbe
{
    static final int HEADS = 3;
    static final int KV = 37;
    static final int LENGTH = 11;
    static final int D = 45;

    private AttentionProbe()
    {
    }

    public static void main(final String[] args)
    {
        System.out.println(bits(args.length > 0 ? Integer.parseInt(args[0]) : 1));
    }

    static String bits(final int rounds)
    {
        final SplittableRandom r = new SplittableRandom(17);
        final KvStore store = new KvStore(1, HEADS, LENGTH, KV);
        final float[] k = new float[HEADS * KV];
        final float[] v = new float[HEADS * KV];
        for (int p = 0; p < LENGTH; p++)
        {
            fill(r, k);
            fill(r, v);
            store.put(0, p, k, 0, v, 0);
        }
        final int[] ids = new int[LENGTH];
        java.util.Arrays.fill(ids, 5);
        final Memory memory = new Memory(store, ids, null, LENGTH);
        final float[] q = new float[HEADS * KV];
        fill(r, q);
        final float[] x = new float[D];
        final float[] scale = new float[D];
        fill(r, x);
        fill(r, scale);
        final float[] out = new float[HEADS * KV];
        final float[] norm = new float[D];
        final float[] scores = new float[LENGTH];
        final boolean[] seen = new boolean[LENGTH];
        for (int i = 0; i < rounds; i++)
        {
            Attend.query(q, 0, LENGTH - 1, 0, Visibility.CAUSAL, 4, memory, 0, HEADS, KV, scores, seen, out, 0);
            VectorMath.rmsNorm(x, 0, scale, 0, 1e-6f, norm, 0, D);
        }
        final StringBuilder sb = new StringBuilder();
        for (final float f : out)
        {
            sb.append(Float.floatToRawIntBits(f)).append(',');
        }
        for (final float f : norm)
        {
            sb.append(Float.floatToRawIntBits(f)).append(',');
        }
        return sb.toString();
    }

    private static void fill(final SplittableRandom r, final float[] a)
    {
        for (int i = 0; i < a.length; i++)
        {
            a[i] = (float)r.nextGaussian();
        }
    }
}
