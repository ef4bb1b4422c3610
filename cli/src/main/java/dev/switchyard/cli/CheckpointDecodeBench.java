package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import com.typesafe.config.Config;
import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.tools.moe.ServedMoeLayers;
import dev.switchyard.transformer.decoder.CheckpointDecoder;
import dev.switchyard.transformer.decoder.DecoderCache;

/**
 * {@code bench decode} on a decoder-only checkpoint folder: the median decode step of B sequences
 * ({@link CheckpointDecoder#step}, the MoE layers one call per layer over the B rows) with the MoE
 * layers in process and through the embedded system, alternating runs; and a prompt prefilled in
 * one pass against the same positions appended one by one.
 */
final class CheckpointDecodeBench
{
    private static final int PROMPT = 8;

    private final Path model;
    private final int steps;
    private final int warmUp;
    private final int repeat;

    CheckpointDecodeBench(final Path model, final int steps, final int warmUp, final int repeat)
    {
        this.model = model;
        this.steps = steps;
        this.warmUp = warmUp;
        this.repeat = repeat;
    }

    /** @param system the embedded system's settings (compute threads, idle strategy) */
    void run(final int[] batches, final int prefill, final ComputeBackend backend, final Config system)
    {
        try (Checkpoint checkpoint = Checkpoint.open(model);
             EmbeddedSystem embedded = EmbeddedSystem.start(model, system))
        {
            final CheckpointDecoder local = CheckpointDecoder.load(checkpoint, backend, null);
            final CheckpointDecoder served = CheckpointDecoder.load(checkpoint,
                new ServedMoeLayers(embedded.client(), false), backend);
            System.out.printf("bench decode: %s checkpoint %s, %d measured steps after %d, median of %d runs%n",
                local.config().family().modelType(), model, steps, warmUp, repeat);
            for (final int b : batches)
            {
                final double[] localMs = new double[repeat];
                final double[] servedMs = new double[repeat];
                for (int r = 0; r < repeat; r++)
                {
                    localMs[r] = medianStepMs(local, b);
                    servedMs[r] = medianStepMs(served, b);
                }
                final double l = median(localMs);
                final double s = median(servedMs);
                System.out.printf("batch %3d: step in process %.3f ms, through the system %.3f ms (%.2fx), " +
                    "%.0f tokens/s in process%n", b, l, s, s / l, b / (l / 1e3));
            }
            if (prefill > 0)
            {
                prefill(local, prefill);
            }
        }
    }

    /** Median over the measured steps of one step of {@code b} sequences, after their prompts. */
    private double medianStepMs(final CheckpointDecoder decoder, final int b)
    {
        final int vocab = decoder.vocab();
        final SplittableRandom random = new SplittableRandom(b);
        final List<DecoderCache> caches = new ArrayList<>();
        final float[] promptLogits = new float[PROMPT * vocab];
        for (int r = 0; r < b; r++)
        {
            final DecoderCache cache = decoder.sequence(PROMPT + warmUp + steps);
            decoder.append(cache, random.ints(PROMPT, 0, vocab).toArray(), 0, PROMPT, promptLogits);
            caches.add(cache);
        }
        final int[] ids = new int[b];
        final float[] logits = new float[b * vocab];
        final double[] ms = new double[steps];
        for (int s = 0; s < warmUp + steps; s++)
        {
            for (int r = 0; r < b; r++)
            {
                ids[r] = random.nextInt(vocab);
            }
            final long t0 = System.nanoTime();
            decoder.step(caches, ids, logits);
            if (s >= warmUp)
            {
                ms[s - warmUp] = (System.nanoTime() - t0) / 1e6;
            }
        }
        return median(ms);
    }

    /** A prompt of {@code length} ids in one pass against one position at a time, in process. */
    private static void prefill(final CheckpointDecoder decoder, final int length)
    {
        final int vocab = decoder.vocab();
        final int[] ids = new SplittableRandom(7).ints(length, 0, vocab).toArray();
        final float[] logits = new float[length * vocab];
        double onePass = Double.MAX_VALUE;
        double stepped = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++)
        {
            final DecoderCache whole = decoder.sequence(length);
            long t0 = System.nanoTime();
            decoder.append(whole, ids, 0, length, logits);
            onePass = Math.min(onePass, (System.nanoTime() - t0) / 1e6);
            final DecoderCache single = decoder.sequence(length);
            t0 = System.nanoTime();
            for (int p = 0; p < length; p++)
            {
                decoder.append(single, ids, p, 1, logits);
            }
            stepped = Math.min(stepped, (System.nanoTime() - t0) / 1e6);
        }
        System.out.printf("prefill of %d positions: one pass %.1f ms, one by one %.1f ms (%.1fx faster), " +
            "best of 3%n", length, onePass, stepped, stepped / onePass);
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
