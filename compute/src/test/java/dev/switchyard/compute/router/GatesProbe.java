package dev.switchyard.compute.router;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import dev.switchyard.model.tensor.F32Tensor;

/** Prints the bits of router gates for fixed random tokens: run in other JVM modes and compared. */
public final class GatesProbe
{
    static final int EXPERTS = 19;
    static final int D = 77;
    static final int TOKENS = 13;

    private GatesProbe()
    {
    }

    /** [TOKENS, EXPERTS] gate bits, as one comma-separated line, after {@code warmRuns} repetitions. */
    static String gateBits(final int warmRuns)
    {
        final SplittableRandom r = new SplittableRandom(17);
        final float[] w = new float[EXPERTS * D];
        for (int i = 0; i < w.length; i++)
        {
            w[i] = (float)r.nextGaussian();
        }
        final float[] x = new float[TOKENS * D];
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)(r.nextGaussian() * 2);
        }
        final RouterProjection p =
            new RouterProjection(new F32Tensor("router.weight", new long[] {EXPERTS, D}, MemorySegment.ofArray(w)));
        final float[] gates = new float[TOKENS * EXPERTS];
        for (int i = 0; i < warmRuns; i++)
        {
            p.gates(x, 0, TOKENS, gates);
        }
        p.gates(x, 0, TOKENS, gates);
        final StringBuilder sb = new StringBuilder();
        for (final float g : gates)
        {
            sb.append(sb.isEmpty() ? "" : ",").append(Float.floatToRawIntBits(g));
        }
        return sb.toString();
    }

    public static void main(final String[] args)
    {
        System.out.println(gateBits(0));
    }
}
