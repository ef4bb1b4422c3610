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
import dev.switchyard.compute.network.ExpertNetwork;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.directory.ExpertWeights;
import dev.switchyard.model.tensor.F32Tensor;

/**
 * The whole expert FFN against the sum of its two products timed alone (plain products: no bias, no
 * activation), in pairs within one JVM: each round times the first product, the second, then the FFN,
 * and the figure is the median of the rounds' time(FFN) / (time(first) + time(second)).
 * <pre>
 * java --add-modules jdk.incubator.vector -cp 'bench/target/classes:bench/target/lib/*' \
 *     dev.switchyard.bench.kernel.FfnOverhead ROWS D_MODEL D_FF [ROUNDS]
 * </pre>
 * Last line: {@code time_ratio=<median>}.
 */
public final class FfnOverhead
{

    private FfnOverhead()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length < 3)
        {
            System.err.println("usage: FfnOverhead ROWS D_MODEL D_FF [ROUNDS]");
            System.exit(2);
        }
        final int rows = Integer.parseInt(args[0]);
        final int dModel = Integer.parseInt(args[1]);
        final int dFf = Integer.parseInt(args[2]);
        final int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 15;
        final SplittableRandom random = new SplittableRandom(42);
        final F32Tensor wi = BenchTensors.tensor("experts.0.wi.weight", random, 1.0 / Math.sqrt(dModel), dFf, dModel);
        final F32Tensor bi = BenchTensors.tensor("experts.0.wi.bias", random, 0.1, dFf);
        final F32Tensor wo = BenchTensors.tensor("experts.0.wo.weight", random, 1.0 / Math.sqrt(dFf), dModel, dFf);
        final F32Tensor bo = BenchTensors.tensor("experts.0.wo.bias", random, 0.1, dModel);
        final ComputeBackend backend = ComputeBackends.vector(ComputePool.callerOnly());
        final ExpertNetwork network = ExpertNetwork.load(
            new ExpertWeights(wi, bi, wo, bo, null), Activation.RELU, backend, WeightFormat.F32);
        final PackedLinear first = backend.pack(wi, null, WeightFormat.F32);
        final PackedLinear second = backend.pack(wo, null, WeightFormat.F32);
        final float[] x = BenchTensors.values(random, 1.0, rows * dModel);
        final float[] h = BenchTensors.values(random, 1.0, rows * dFf);
        final float[] hOut = new float[rows * dFf];
        final float[] y = new float[rows * dModel];
        final Runnable firstAlone = () -> backend.linear(first, Epilogue.NONE, x, 0, rows, hOut, 0);
        final Runnable secondAlone = () -> backend.linear(second, Epilogue.NONE, h, 0, rows, y, 0);
        final Runnable ffn = () -> network.forward(x, 0, rows, y, 0);
        for (int i = 0; i < 10; i++)
        {
            CallTimer.secondsPerCall(firstAlone);
            CallTimer.secondsPerCall(secondAlone);
            CallTimer.secondsPerCall(ffn);
        }
        final double flops = 2.0 * rows * dModel * dFf;
        final double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            final double t1 = CallTimer.secondsPerCall(firstAlone);
            final double t2 = CallTimer.secondsPerCall(secondAlone);
            final double tf = CallTimer.secondsPerCall(ffn);
            ratios[r] = tf / (t1 + t2);
            System.err.printf(Locale.ROOT, "round %d: first %.1f, second %.1f, ffn %.1f GFLOP/s, time ratio %.3f%n",
                r, flops / t1 / 1e9, flops / t2 / 1e9, 2 * flops / tf / 1e9, ratios[r]);
        }
        Arrays.sort(ratios);
        System.out.printf(Locale.ROOT, "time_ratio=%.3f%n", ratios[rounds / 2]);
    }
}
