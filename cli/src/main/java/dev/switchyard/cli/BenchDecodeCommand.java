package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.dataplane.IdleStrategies;
import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.tools.moe.ServedMoeLayers;
import dev.switchyard.transformer.decode.Choice;
import dev.switchyard.transformer.decode.DecodeOptions;
import dev.switchyard.transformer.decode.Generator;
import dev.switchyard.transformer.forward.DecodeSession;
import dev.switchyard.transformer.forward.Transformer;
import dev.switchyard.transformer.model.TransformerModel;
import dev.switchyard.transformer.moe.LocalMoeLayers;
import dev.switchyard.transformer.moe.MoeLayers;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code switchyard bench decode}: decode step latency of a decoder-only transformer with its MoE layers
 * in process and through the embedded system, concurrent generation in exact and shared mode, and a
 * prefill against the same positions decoded one by one.
 */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    description = "Decode step latency (system vs in process), concurrent generation, prefill vs steps.")
final class BenchDecodeCommand implements Callable<Integer>
{
    @Option(names = "--model", required = true, paramLabel = "DIR",
        description = "A decoder-only transformer model, or a decoder-only checkpoint folder.")
    Path model;

    @Option(names = "--batches", split = ",", paramLabel = "B,...", description = "Batch sizes (default: 1,8,64).")
    int[] batches = {1, 8, 64};

    @Option(names = "--steps", paramLabel = "N",
        description = "Measured steps per batch size (default: ${DEFAULT-VALUE}).")
    int steps = 32;

    @Option(names = "--warm-up", paramLabel = "N", description = "Steps before measuring (default: ${DEFAULT-VALUE}).")
    int warmUp = 8;

    @Option(names = "--repeat", paramLabel = "N",
        description = "Runs of each batch size, local and system alternating; medians are printed " +
            "(default: ${DEFAULT-VALUE}).")
    int repeat = 3;

    @Option(names = "--concurrent", paramLabel = "N",
        description = "Concurrent one-row requests (default: ${DEFAULT-VALUE}; 0 skips).")
    int concurrent = 64;

    @Option(names = "--prefill", paramLabel = "L",
        description = "Prompt length of the prefill figure (default: ${DEFAULT-VALUE}; 0 skips).")
    int prefill = 512;

    @Option(names = "--idle", paramLabel = "S",
        description = "The embedded system's data-plane idle strategy: backoff, sleeping, yielding or busy-spin " +
            "(default: ${DEFAULT-VALUE}, as serve --idle). Parked threads are rung awake when a request reaches " +
            "them; yielding ones keep a core busy, which on a small machine also slows the in-process step.")
    String idle = "backoff";

    @Mixin
    ComputeOptions compute;

    /** The embedded system's settings: the compute threads and the idle strategy asked for. */
    private com.typesafe.config.Config systemSettings()
    {
        IdleStrategies.of(idle); // refuses an unknown name, before a system starts
        return com.typesafe.config.ConfigFactory.parseString(compute.systemSettings() +
            "\nswitchyard.data-plane.idle = " + idle);
    }

    /** Times every MoE call of the layers it wraps. */
    private record TimedMoe(MoeLayers inner, AtomicLong nanos) implements MoeLayers
    {
        @Override
        public void forward(final int layer, final float[] x, final int tokens, final float[] importance,
            final float[] y)
        {
            final long t0 = System.nanoTime();
            inner.forward(layer, x, tokens, importance, y);
            nanos.addAndGet(System.nanoTime() - t0);
        }
    }

    @Override
    public Integer call() throws Exception
    {
        if (MoeFamily.isCheckpoint(CliArgs.existingDirectory("--model", model)))
        {
            try (ComputePool pool = compute.pool())
            {
                new CheckpointDecodeBench(model, steps, warmUp, repeat).run(batches, prefill, compute.backend(pool),
                    systemSettings());
            }
            return 0;
        }
        try (ModelDirectory dir = ModelDirectory.open(CliArgs.existingDirectory("--model", model));
             ComputePool pool = compute.pool())
        {
            final ComputeBackend backend = compute.backend(pool);
            final TransformerModel tm = TransformerModel.load(dir, backend);
            if (tm.transformer().encdec())
            {
                throw new BadInputException("bench decode needs a decoder-only model");
            }
            if (warmUp + steps > tm.transformer().maxLength())
            {
                throw new BadInputException("--warm-up + --steps must fit the model's max_length " +
                    tm.transformer().maxLength());
            }
            checkSizes(tm);
            final MoeLayers local = new LocalMoeLayers(dir, backend);
            try (EmbeddedSystem system = EmbeddedSystem.start(model, systemSettings()))
            {
                final MoeLayers exact = new ServedMoeLayers(system.client(), false);
                System.out.println("decode step latency (ms), " + steps + " steps after " + warmUp +
                    " warm-up steps, medians of " + repeat + " runs");
                System.out.println("batch  where    p50      p99      moe share   system/local p50");
                for (final int batch : batches)
                {
                    final double[][] localRuns = new double[repeat][];
                    final double[][] systemRuns = new double[repeat][];
                    for (int r = 0; r < repeat; r++)
                    {
                        localRuns[r] = steps(tm, backend, local, batch);
                        systemRuns[r] = steps(tm, backend, exact, batch);
                    }
                    final double[] localStats = medians(localRuns);
                    final double[] systemStats = medians(systemRuns);
                    print(batch, "local ", localStats, "");
                    print(batch, "system", systemStats, String.format("%.2f", systemStats[0] / localStats[0]));
                }
                if (concurrent > 0)
                {
                    final double exactRate = concurrentTokensPerSecond(tm, backend, exact);
                    final double sharedRate = concurrentTokensPerSecond(tm, backend,
                        new ServedMoeLayers(system.client(), true));
                    System.out.printf("%d concurrent greedy requests of %d positions: exact %.0f tokens/s, " +
                        "shared %.0f tokens/s (%.2fx)%n", concurrent, warmUp + steps, exactRate, sharedRate,
                        sharedRate / exactRate);
                }
            }
            if (prefill > 0)
            {
                prefill(tm, backend, local);
            }
            return 0;
        }
    }

    /** Every batch, the concurrent requests and the prefill fit this JVM's heap, checked before any runs. */
    private void checkSizes(final TransformerModel tm)
    {
        CliArgs.positive("--steps", steps);
        CliArgs.positive("--repeat", repeat);
        if (warmUp < 0 || concurrent < 0 || prefill < 0)
        {
            throw new BadInputException("--warm-up, --concurrent and --prefill must be at least 0");
        }
        for (final int batch : batches)
        {
            CliArgs.positive("--batches", batch);
            TransformerMemory.checkDecode(tm.config(), "bench decode --batches " + batch, batch, 1, warmUp + steps, 0);
        }
        if (concurrent > 0)
        {
            TransformerMemory.checkDecode(tm.config(), "bench decode --concurrent " + concurrent, concurrent, 1,
                warmUp + steps, 0);
        }
        if (prefill > 0)
        {
            TransformerMemory.checkScore(tm.config(), "bench decode --prefill " + prefill, 1,
                Math.min(prefill, tm.transformer().maxLength()), 0);
        }
    }

    /** The median of each figure over the runs. */
    private static double[] medians(final double[][] runs)
    {
        final double[] out = new double[runs[0].length];
        for (int i = 0; i < out.length; i++)
        {
            final double[] column = new double[runs.length];
            for (int r = 0; r < runs.length; r++)
            {
                column[r] = runs[r][i];
            }
            Arrays.sort(column);
            out[i] = column[column.length / 2];
        }
        return out;
    }

    private static void print(final int batch, final String where, final double[] s, final String ratio)
    {
        System.out.printf("%5d  %s  %7.3f  %7.3f  %5.1f%%      %s%n", batch, where, s[0], s[1], 100 * s[2], ratio);
    }

    /** p50 and p99 step time (ms) and the MoE layers' share of the measured steps. */
    private double[] steps(final TransformerModel tm, final ComputeBackend backend, final MoeLayers moe,
        final int batch)
    {
        final AtomicLong moeNanos = new AtomicLong();
        final Transformer tr = new Transformer(tm, backend, new TimedMoe(moe, moeNanos));
        final DecodeSession session = tr.session(batch, warmUp + steps, null);
        final int vocab = tm.transformer().vocabSize();
        final int[] rows = new int[batch];
        final int[] prev = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            rows[b] = b;
        }
        final double[] ms = new double[steps];
        long total = 0;
        for (int p = 0; p < warmUp + steps; p++)
        {
            if (p == warmUp)
            {
                moeNanos.set(0);
            }
            final long t0 = System.nanoTime();
            final float[] logits = session.step(rows, rows, prev, batch, p);
            for (int b = 0; b < batch; b++)
            {
                prev[b] = Choice.argmax(logits, b * vocab, vocab);
            }
            final long dt = System.nanoTime() - t0;
            if (p >= warmUp)
            {
                ms[p - warmUp] = dt / 1e6;
                total += dt;
            }
        }
        Arrays.sort(ms);
        return new double[] {ms[(int)Math.floor(0.5 * (steps - 1))], ms[(int)Math.ceil(0.99 * (steps - 1))],
            moeNanos.get() / (double)total};
    }

    private double concurrentTokensPerSecond(final TransformerModel tm, final ComputeBackend backend,
        final MoeLayers moe)
        throws Exception
    {
        final int length = warmUp + steps;
        try (Generator generator = new Generator(tm, backend, moe))
        {
            final List<Generator.Generation> running = new ArrayList<>();
            final AtomicLong tokens = new AtomicLong();
            final long t0 = System.nanoTime();
            for (int i = 0; i < concurrent; i++)
            {
                running.add(generator.generate(new int[1], 1, 1, DecodeOptions.greedy().withMaxLength(length),
                    (row, position, id) -> tokens.incrementAndGet()));
            }
            for (final Generator.Generation g : running)
            {
                g.result().get();
            }
            return tokens.get() / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * A prompt prefilled in one pass (MoE grouped per position, as steps would) against the same positions as steps.
     */
    private void prefill(final TransformerModel tm, final ComputeBackend backend, final MoeLayers moe)
    {
        final int length = Math.min(prefill, tm.transformer().maxLength());
        final int vocab = tm.transformer().vocabSize();
        final int[] prompt = new int[length];
        final java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int p = 0; p < length; p++)
        {
            prompt[p] = 2 + random.nextInt(vocab - 2);
        }
        final Transformer tr = new Transformer(tm, backend, moe);
        final int[] slot = {0};
        final int[] inputs = new int[length];
        System.arraycopy(prompt, 0, inputs, 1, length - 1);
        tr.session(1, length, null).prefill(slot, slot, inputs, 1, length); // warm-up
        final long t0 = System.nanoTime();
        final float[] once = tr.session(1, length, null).prefill(slot, slot, inputs, 1, length);
        final long prefillNanos = System.nanoTime() - t0;
        final DecodeSession session = tr.session(1, length, null);
        final int[] in = new int[1];
        boolean identical = true;
        final long t1 = System.nanoTime();
        for (int p = 0; p < length; p++)
        {
            in[0] = p == 0 ? 0 : prompt[p - 1];
            final float[] logits = session.step(slot, slot, in, 1, p);
            identical &= Arrays.equals(logits, 0, vocab, once, p * vocab, (p + 1) * vocab);
        }
        final long stepNanos = System.nanoTime() - t1;
        System.out.printf("prefill of %d positions %.1f ms, %d steps %.1f ms (%.1fx), logits %s%n", length,
            prefillNanos / 1e6, length, stepNanos / 1e6, stepNanos / (double)prefillNanos,
            identical ? "identical" : "DIFFER");
    }
}
