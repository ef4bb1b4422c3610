package dev.switchyard.bench.kernel;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;

/**
 * Speed-up of one product on T threads over one thread, measured in pairs: each round times one thread,
 * then T threads, over the same packed weights in the same JVM, and the figure is the median of the
 * rounds' ratios. On a shared machine whose other cores come and go, pairs close in time compare like
 * with like where two separate runs would not.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp 'bench/target/classes:bench/target/lib/*' \
 *     dev.switchyard.bench.kernel.ThreadScaling M K N [THREADS] [ROUNDS]
 * </pre>
 * Last line: {@code speedup=<median ratio>}.
 */
public final class ThreadScaling
{

    private ThreadScaling()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length < 3)
        {
            System.err.println("usage: ThreadScaling M K N [THREADS] [ROUNDS]");
            System.exit(2);
        }
        final int m = Integer.parseInt(args[0]);
        final int k = Integer.parseInt(args[1]);
        final int n = Integer.parseInt(args[2]);
        final int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        final int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 15;
        final SplittableRandom random = new SplittableRandom(42);
        final float[] x = BenchTensors.values(random, 1.0, m * k);
        final float[] y = new float[m * n];
        try (ComputePool pool = ComputePool.ofThreads(threads))
        {
            final ComputeBackend one = ComputeBackends.vector(ComputePool.callerOnly());
            final ComputeBackend many = ComputeBackends.vector(pool);
            final var w = BenchTensors.tensor("w", random, 1.0 / Math.sqrt(k), n, k);
            final PackedLinear packedOne = one.pack(w, null, WeightFormat.F32);
            final PackedLinear packedMany = many.pack(w, null, WeightFormat.F32);
            final Runnable single = () -> one.linear(packedOne, Epilogue.NONE, x, 0, m, y, 0);
            final Runnable parallel = () -> many.linear(packedMany, Epilogue.NONE, x, 0, m, y, 0);
            for (int i = 0; i < 10; i++)
            {
                CallTimer.secondsPerCall(single);
                CallTimer.secondsPerCall(parallel);
            }
            final double flops = 2.0 * m * k * n;
            final double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                final double t1 = CallTimer.secondsPerCall(single);
                final double tn = CallTimer.secondsPerCall(parallel);
                ratios[r] = t1 / tn;
                System.err.printf(Locale.ROOT, "round %d: 1 thread %.1f GFLOP/s, %d threads %.1f GFLOP/s, ratio %.2f%n",
                    r, flops / t1 / 1e9, threads, flops / tn / 1e9, ratios[r]);
            }
            Arrays.sort(ratios);
            System.out.printf(Locale.ROOT, "speedup=%.2f%n", ratios[rounds / 2]);
        }
    }
}
