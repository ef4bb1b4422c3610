package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.experts.compute.ComputeBackends;
import dev.switchyard.experts.compute.ComputePool;
import dev.switchyard.experts.compute.WeightFormat;
import dev.switchyard.experts.layer.LocalMoeLayer;
import dev.switchyard.gateway.client.InferAnswer;
import dev.switchyard.gateway.client.SwitchyardClient;
import dev.switchyard.gateway.system.EmbeddedSystem;
import dev.switchyard.router.BadInputException;
import dev.switchyard.router.io.Npy;
import dev.switchyard.router.io.NpyArray;
import dev.switchyard.router.model.ModelDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchyard bench layer}: runs one MoE layer over the same tokens repeatedly, warm-up first,
 * in process ({@code local}) or through the embedded system over Aeron IPC ({@code aeron}), and prints
 * the latency percentiles of a whole pass and the throughput; the last line is exactly
 * {@code p50_ms=<x> p99_ms=<y> tokens_per_s=<z>}.
 */
@Command(
    name = "layer",
    mixinStandardHelpOptions = true,
    description = "Time a whole MoE layer; last line p50_ms=<x> p99_ms=<y> tokens_per_s=<z>.")
public final class BenchLayerCommand implements Callable<Integer>
{
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    private Path model;

    @Option(names = "--input", paramLabel = "X.npy", description = "Tokens [T, d_model]; else --tokens random ones.")
    private Path input;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "4096", description = "Random tokens (default 4096).")
    private int tokens;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "1", description = "Compute threads (default 1).")
    private int threads;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "local",
        description = "local (in process) or aeron (embedded system, IPC).")
    private String transport;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3", description = "Untimed passes first (default 3).")
    private int warmup;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "10", description = "Timed passes (default 10).")
    private int runs;

    @Override
    public Integer call() throws Exception
    {
        if (threads < 1 || runs < 1 || warmup < 0)
        {
            throw new BadInputException("--threads and --runs must be at least 1, --warmup at least 0");
        }
        try (ModelDirectory dir = ModelDirectory.open(model))
        {
            final int d = dir.config().dModel();
            final float[] x;
            final int rows;
            if (input != null)
            {
                final NpyArray a = Npy.read(input);
                if (a.rank() != 2 || a.cols() != d)
                {
                    throw new BadInputException(input + " must be [T, " + d + "], is " + a.shapeString());
                }
                x = a.data();
                rows = a.rows();
            }
            else
            {
                if (tokens < 1)
                {
                    throw new BadInputException("--tokens must be at least 1");
                }
                rows = tokens;
                x = new float[rows * d];
                final SplittableRandom random = new SplittableRandom(1);
                for (int i = 0; i < x.length; i++)
                {
                    x[i] = (float)random.nextGaussian();
                }
            }
            final double[] ms = switch (transport)
            {
                case "local" -> local(dir, x, rows);
                case "aeron" -> aeron(x, rows);
                default -> throw new BadInputException("--transport must be local or aeron (got '" + transport + "')");
            };
            Arrays.sort(ms);
            final double p50 = percentile(ms, 50);
            final double p99 = percentile(ms, 99);
            System.out.printf(Locale.ROOT, "transport=%s tokens=%d threads=%d runs=%d min_ms=%.3f max_ms=%.3f%n",
                transport, rows, threads, runs, ms[0], ms[ms.length - 1]);
            System.out.printf(Locale.ROOT, "p50_ms=%.3f p99_ms=%.3f tokens_per_s=%.1f%n", p50, p99, rows / (p50 / 1e3));
            return 0;
        }
    }

    private double[] local(final ModelDirectory dir, final float[] x, final int rows)
    {
        try (ComputePool pool = ComputePool.ofThreads(threads))
        {
            final LocalMoeLayer layer = LocalMoeLayer.load(dir, 0, ComputeBackends.vector(pool), WeightFormat.F32);
            final float[] y = new float[x.length];
            final double[] ms = new double[runs];
            for (int i = 0; i < warmup + runs; i++)
            {
                final long start = System.nanoTime();
                layer.forward(x, rows, null, y, null);
                if (i >= warmup)
                {
                    ms[i - warmup] = (System.nanoTime() - start) / 1e6;
                }
            }
            return ms;
        }
    }

    private double[] aeron(final float[] x, final int rows)
    {
        try (EmbeddedSystem system = EmbeddedSystem.start(model, ConfigFactory.parseString(
            "switchyard.experts.compute-threads = " + threads)))
        {
            final SwitchyardClient client = system.client();
            final double[] ms = new double[runs];
            for (int i = 0; i < warmup + runs; i++)
            {
                final long start = System.nanoTime();
                final InferAnswer answer = client.infer(x, rows, null, false).join();
                if (!answer.ok())
                {
                    throw new BadInputException("the system answered " + answer.status() + ": " + answer.detail());
                }
                if (i >= warmup)
                {
                    ms[i - warmup] = (System.nanoTime() - start) / 1e6;
                }
            }
            return ms;
        }
    }

    private static double percentile(final double[] sorted, final double p)
    {
        final int index = (int)Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
