package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.tools.benchlayer.AeronTransport;
import dev.switchyard.tools.benchlayer.ArteryTransport;
import dev.switchyard.tools.benchlayer.BenchTransport;
import dev.switchyard.tools.benchlayer.CheckpointTransport;
import dev.switchyard.tools.benchlayer.HttpTransport;
import dev.switchyard.tools.benchlayer.LocalTransport;
import dev.switchyard.tools.benchlayer.OpenLoop;
import dev.switchyard.wire.BadInputException;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchyard bench layer}: runs one MoE layer over the same tokens repeatedly, warm-up first,
 * in process ({@code local}), through the embedded system over Aeron IPC ({@code aeron}) or with the
 * same blocks over Pekko Artery ({@code artery}), and prints the latency percentiles of a whole pass
 * and the throughput. With {@code --open-loop} it finds the saturation rate and then sends passes on
 * a fixed schedule at a fraction of it, timing each from its scheduled send. The last line is
 * exactly {@code p50_ms=<x> p99_ms=<y> tokens_per_s=<z>}.
 */
@Command(
    name = "layer",
    mixinStandardHelpOptions = true,
    description = "Time a whole MoE layer; last line p50_ms=<x> p99_ms=<y> tokens_per_s=<z>.")
public final class BenchLayerCommand implements Callable<Integer>
{
    @Option(names = "--model", required = true, paramLabel = "DIR",
        description = "Model directory, or a Hugging Face checkpoint folder (timed in process).")
    private Path model;

    @Option(names = "--layer", paramLabel = "L", defaultValue = "0",
        description = "Served layer of a checkpoint folder (default 0).")
    private int layer;

    @Option(names = "--input", paramLabel = "X.npy", description = "Tokens [T, d_model]; else --tokens random ones.")
    private Path input;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "4096", description = "Random tokens (default 4096).")
    private int tokens;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "1", description = "Compute threads (default 1).")
    private int threads;

    @Option(names = "--backend", paramLabel = "B", defaultValue = "vector",
        description = "Expert compute backend of local and aeron: vector (default), native, auto or scalar.")
    private String backend;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "local",
        description = "local (in process), aeron (embedded system, IPC), http (the embedded system's HTTP API " +
            "on loopback, npy bodies) or artery (the same blocks as Pekko remote messages between two actor " +
            "systems on loopback); a comma list alternates passes between them and prints their ratios, the " +
            "last one's figures last.")
    private String transport;

    @Option(names = "--experts", paramLabel = "KIND", defaultValue = "model",
        description = "model (default) or identity: every expert answers its block unchanged, so that a pass " +
            "times gating, dispatch, the transport and combine alone, for the model's own blocks.")
    private String experts;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3", description = "Untimed passes first (default 3).")
    private int warmup;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "10",
        description = "Timed passes (default 10); with --open-loop, the passes that measure saturation.")
    private int runs;

    @Option(names = "--phase", paramLabel = "N", defaultValue = "1",
        description = "With several transports: passes of one in a row before the next takes over (default 1: " +
            "they alternate pass by pass). Above 1, every phase starts with a full GC, so that no transport's " +
            "garbage is collected during another's passes.")
    private int phase;

    @Option(names = "--separate",
        description = "With several transports: run them one after another, each alone in this JVM (opened, " +
            "warmed up, timed, closed), so that no transport's threads or garbage touch another's passes.")
    private boolean separate;

    @Option(names = "--open-loop",
        description = "Find the saturation rate, then send passes on a fixed schedule at --load of it.")
    private boolean openLoop;

    @Option(names = "--load", paramLabel = "F", defaultValue = "0.8",
        description = "Open loop: fraction of the saturation rate (default 0.8).")
    private double load;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "20",
        description = "Open loop: seconds of scheduled sends (default 20).")
    private double duration;

    @Option(names = "--in-flight", paramLabel = "N", defaultValue = "4",
        description = "Open loop: passes in flight while measuring saturation (default 4).")
    private int inFlight;

    @Override
    public Integer call() throws Exception
    {
        if (threads < 1 || runs < 1 || warmup < 0 || phase < 1)
        {
            throw new BadInputException("--threads, --runs and --phase must be at least 1, --warmup at least 0");
        }
        if (!experts.equals("model") && !experts.equals("identity"))
        {
            throw new BadInputException("--experts must be model or identity (got '" + experts + "')");
        }
        if (MoeFamily.isCheckpoint(model))
        {
            return benchCheckpoint();
        }
        try (ModelDirectory dir = ModelDirectory.open(model))
        {
            final NpyArray tokensIn = tokens(dir.config().dModel());
            final float[] x = tokensIn.data();
            final int rows = tokensIn.rows();
            final String[] kinds = transport.split(",");
            if (openLoop && kinds.length != 1)
            {
                throw new BadInputException("--open-loop runs one transport at a time (got '" + transport + "')");
            }
            if (separate)
            {
                if (openLoop)
                {
                    throw new BadInputException("--separate is for closed-loop runs of several transports");
                }
                report(kinds, timeSeparately(kinds, dir, x, rows), rows);
                return 0;
            }
            runTogether(kinds, dir, x, rows);
            return 0;
        }
    }

    /** A checkpoint's served layer, in process: the one transport it has. */
    private int benchCheckpoint()
    {
        if (!transport.equals("local") || identity() || separate)
        {
            throw new BadInputException("--model " + model + " is a Hugging Face checkpoint folder: it is timed in " +
                "process (--transport local, --experts model)");
        }
        try (Checkpoint checkpoint = Checkpoint.open(model))
        {
            if (layer < 0 || layer >= checkpoint.layers().size())
            {
                throw new BadInputException("--layer " + layer + ": checkpoint " + model + " serves layers 0.." +
                    (checkpoint.layers().size() - 1));
            }
            final NpyArray tokensIn = tokens(checkpoint.layer(layer).dModel());
            try (CheckpointTransport local = new CheckpointTransport(checkpoint, layer, threads, backend))
            {
                System.out.println(memoryLine(checkpoint, local));
                if (openLoop)
                {
                    openLoop(local, tokensIn.data(), tokensIn.rows());
                }
                else
                {
                    report(new String[] {"local"}, timeTogether(new BenchTransport[] {local}, tokensIn.data(),
                        tokensIn.rows()), tokensIn.rows());
                }
            }
            return 0;
        }
    }

    /** What serving the layer costs in memory: its experts packed on the heap, the files only mapped. */
    private static String memoryLine(final Checkpoint checkpoint, final CheckpointTransport local)
    {
        long mapped = 0;
        for (final Path file : checkpoint.files())
        {
            mapped += file.toFile().length();
        }
        return String.format(Locale.ROOT, "%s layer %d: experts packed as %s, %.1f MiB in memory; weight files " +
            "mapped, %.1f MiB", checkpoint.family().modelType(), local.layer().spec().index(), local.layer().format(),
            local.layer().packedBytes() / 1048576.0, mapped / 1048576.0);
    }

    /** The tokens of every pass, [T, d]: those of --input, else --tokens random ones. */
    private NpyArray tokens(final int d)
    {
        if (input != null)
        {
            final NpyArray a = Npy.read(input);
            if (a.rank() != 2 || a.cols() != d)
            {
                throw new BadInputException(input + " must be [T, " + d + "], is " + a.shapeString());
            }
            return a;
        }
        if (tokens < 1)
        {
            throw new BadInputException("--tokens must be at least 1");
        }
        // The tokens, their outputs and the copies each transport makes of both.
        MemoryBudget.require("bench layer --tokens " + tokens, Counts.of(tokens, "token") + " × d_model " + d,
            Float.BYTES * 6.0 * tokens * d, (double)tokens * d);
        final float[] x = new float[tokens * d];
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)random.nextGaussian();
        }
        return NpyArray.matrix(tokens, d, x);
    }

    /** Each transport alone in turn: opened, warmed up, timed and closed before the next opens. */
    private double[][] timeSeparately(final String[] kinds, final ModelDirectory dir, final float[] x, final int rows)
    {
        final double[][] ms = new double[kinds.length][];
        for (int k = 0; k < kinds.length; k++)
        {
            try (BenchTransport layer = open(kinds[k].trim(), dir))
            {
                ms[k] = timeTogether(new BenchTransport[] {layer}, x, rows)[0];
            }
        }
        return ms;
    }

    /** Every transport open at once, timed together (or the one, open loop); all closed however it ends. */
    private void runTogether(final String[] kinds, final ModelDirectory dir, final float[] x, final int rows)
    {
        final BenchTransport[] layers = new BenchTransport[kinds.length];
        try
        {
            for (int k = 0; k < kinds.length; k++)
            {
                layers[k] = open(kinds[k].trim(), dir);
            }
            if (openLoop)
            {
                openLoop(layers[0], x, rows);
            }
            else
            {
                report(kinds, timeTogether(layers, x, rows), rows);
            }
        }
        finally
        {
            for (final BenchTransport layer : layers)
            {
                if (layer != null)
                {
                    layer.close();
                }
            }
        }
    }

    private BenchTransport open(final String kind, final ModelDirectory dir)
    {
        return switch (kind)
        {
            case "local" -> new LocalTransport(dir, threads, identity(), backend);
            case "aeron" -> new AeronTransport(model, threads, identity(), backend);
            case "http" -> new HttpTransport(model, threads, identity());
            case "artery" -> new ArteryTransport(dir, threads, identity());
            default -> throw new BadInputException(
                "--transport must be local, aeron, http or artery, or a comma list of them (got '" + kind + "')");
        };
    }

    private boolean identity()
    {
        return experts.equals("identity");
    }

    /** With several transports, passes alternate between them, so that all see the same machine. */
    private double[][] timeTogether(final BenchTransport[] layers, final float[] x, final int rows)
    {
        for (int i = 0; i < warmup; i++)
        {
            for (final BenchTransport layer : layers)
            {
                layer.submit(x, rows).join();
            }
        }
        final double[][] ms = new double[layers.length][runs];
        for (int done = 0; done < runs; done += phase)
        {
            final int n = Math.min(phase, runs - done);
            for (int k = 0; k < layers.length; k++)
            {
                if (phase > 1)
                {
                    System.gc();
                }
                for (int i = 0; i < n; i++)
                {
                    ms[k][done + i] = timePass(layers[k], x, rows);
                }
            }
        }
        return ms;
    }

    /** @param ms milliseconds of every timed pass, [transports][runs] */
    private void report(final String[] kinds, final double[][] ms, final int rows)
    {
        final double[] p50 = new double[ms.length];
        final double[] p99 = new double[ms.length];
        for (int k = 0; k < ms.length; k++)
        {
            Arrays.sort(ms[k]);
            p50[k] = percentile(ms[k], 50);
            p99[k] = percentile(ms[k], 99);
            System.out.printf(Locale.ROOT,
                "transport=%s experts=%s tokens=%d threads=%d runs=%d " +
                    "min_ms=%.3f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f%n",
                kinds[k], experts, rows, threads, runs, ms[k][0], p50[k], p99[k], ms[k][runs - 1]);
        }
        for (int k = 1; k < ms.length; k++)
        {
            System.out.printf(Locale.ROOT, "%s/%s: p50 %.3fx p99 %.3fx%n",
                kinds[k], kinds[0], p50[k] / p50[0], p99[k] / p99[0]);
        }
        final int last = ms.length - 1;
        System.out.printf(Locale.ROOT, "p50_ms=%.3f p99_ms=%.3f tokens_per_s=%.1f%n",
            p50[last], p99[last], rows / (p50[last] / 1e3));
    }

    private static double timePass(final BenchTransport layer, final float[] x, final int rows)
    {
        final long start = System.nanoTime();
        layer.submit(x, rows).join();
        return (System.nanoTime() - start) / 1e6;
    }

    private void openLoop(final BenchTransport layer, final float[] x, final int rows)
    {
        if (!(load > 0) || inFlight < 1 || !(duration > 0))
        {
            throw new BadInputException("--load and --duration must be above 0, --in-flight at least 1");
        }
        for (int i = 0; i < warmup; i++)
        {
            layer.submit(x, rows).join();
        }
        final double saturation = OpenLoop.saturation(layer, x, rows, inFlight, runs);
        final double rate = saturation * load;
        System.out.printf(Locale.ROOT,
            "transport=%s experts=%s tokens=%d threads=%d saturation_per_s=%.3f " +
                "(closed loop, %d in flight, %d passes)%n",
            transport, experts, rows, threads, saturation, inFlight, runs);
        System.out.printf(Locale.ROOT, "open loop at %.0f%% of saturation: %.3f passes/s for %.1f s%n",
            load * 100, rate, duration);
        final OpenLoop.Result result = OpenLoop.run(layer, x, rows, rate, duration);
        final Histogram h = result.latencyMicros();
        if (result.completed() == 0)
        {
            throw new BadInputException("every pass of the open-loop run failed (" + result.failed() + ")");
        }
        System.out.printf(Locale.ROOT,
            "sent=%d completed=%d failed=%d achieved_per_s=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " +
            "p99_over_p50=%.2f%n",
            result.scheduled(), result.completed(), result.failed(), result.achievedPerSecond(),
            ms(h, 50), ms(h, 90), ms(h, 99), h.getMaxValue() / 1e3, ms(h, 99) / ms(h, 50));
        System.out.printf(Locale.ROOT, "p50_ms=%.3f p99_ms=%.3f tokens_per_s=%.1f%n",
            ms(h, 50), ms(h, 99), result.achievedPerSecond() * rows);
    }

    private static double ms(final Histogram h, final double percentile)
    {
        return h.getValueAtPercentile(percentile) / 1e3;
    }

    private static double percentile(final double[] sorted, final double p)
    {
        final int index = (int)Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
