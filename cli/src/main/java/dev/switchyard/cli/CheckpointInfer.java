package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.List;

import dev.switchyard.client.InferAnswer;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.layer.CheckpointMoeLayer;
import dev.switchyard.model.checkpoint.Checkpoint;
import dev.switchyard.model.checkpoint.MoeLayerSpec;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.model.io.TopKReportWriter;
import dev.switchyard.node.system.SystemInference;
import dev.switchyard.wire.BadInputException;

/**
 * {@code infer} on a Hugging Face checkpoint folder: one served layer in this process, its output and its
 * routing report with k entries per token (docs/contracts.md §9).
 */
final class CheckpointInfer
{
    /** What one run asks for; {@code connect} null and {@code local} false: the embedded system. */
    record Request(Path model, int layer, Path input, Path output, Path routing, Integer groupSize,
        List<String> unavailable, boolean local, String connect, ComputeOptions compute)
    {
    }

    private CheckpointInfer()
    {
    }

    static int run(final Request r)
    {
        if (!r.local())
        {
            return served(r);
        }
        try (Checkpoint checkpoint = Checkpoint.open(r.model()))
        {
            final int served = checkpoint.layers().size();
            if (r.layer() < 0 || r.layer() >= served)
            {
                throw new BadInputException("--layer " + r.layer() + ": checkpoint " + r.model() +
                    " serves layers 0.." + (served - 1));
            }
            final MoeLayerSpec spec = checkpoint.layer(r.layer());
            final NpyArray x = TokenFiles.readTokens("--input", r.input(), spec.dModel());
            final int tokens = x.rows();
            final int group = groupSize(spec, r.groupSize(), tokens);
            try (ComputePool pool = r.compute().pool())
            {
                final CheckpointMoeLayer moe = CheckpointMoeLayer.load(checkpoint, r.layer(),
                    r.compute().backend(pool), r.compute().checkpointWeightFormat())
                    .withUnavailable(InferCommand.unavailableFlags(r.unavailable(), spec.experts()));
                final int k = moe.k();
                final float[] y = new float[tokens * spec.dModel()];
                final int[] expert = new int[tokens * k];
                final float[] gate = new float[tokens * k];
                final long start = System.nanoTime();
                moe.forward(x.data(), tokens, group, y, expert, gate);
                final double millis = (System.nanoTime() - start) / 1e6;
                Npy.write(r.output(), tokens, spec.dModel(), y);
                if (r.routing() != null)
                {
                    TopKReportWriter.write(r.routing(), tokens, k, expert, gate);
                }
                System.out.println(summary(checkpoint, spec, tokens, k, expert, millis));
            }
        }
        return 0;
    }

    /**
     * Through a running system (--connect HOST:PORT) or the embedded one: the same bits as --local
     * (docs/contracts.md §9), and the same k-entry routing report.
     */
    private static int served(final Request r)
    {
        if (r.unavailable() != null && !r.unavailable().isEmpty())
        {
            throw new BadInputException("--unavailable-experts needs --local (a running system drops the experts " +
                "it cannot reach by itself)");
        }
        if (r.connect() != null && r.connect().startsWith("http://"))
        {
            throw new BadInputException("--connect http://... serves Switchyard model directories; use the " +
                "gateway's HOST:PORT for a checkpoint");
        }
        final MoeLayerSpec spec;
        final int group;
        final NpyArray x;
        try (Checkpoint checkpoint = Checkpoint.open(r.model()))
        {
            if (r.layer() < 0 || r.layer() >= checkpoint.layers().size())
            {
                throw new BadInputException("--layer " + r.layer() + ": checkpoint " + r.model() +
                    " serves layers 0.." + (checkpoint.layers().size() - 1));
            }
            spec = checkpoint.layer(r.layer());
            x = TokenFiles.readTokens("--input", r.input(), spec.dModel());
            group = groupSize(spec, r.groupSize(), x.rows());
        }
        final long start = System.nanoTime();
        final boolean wantRouting = r.routing() != null;
        final InferAnswer answer = r.connect() != null ?
            SystemInference.connectedCheckpoint(r.connect(), spec.dModel(), r.layer(), x.data(), x.rows(),
                wantRouting) :
            SystemInference.embeddedCheckpoint(r.model(), r.layer(), x.data(), x.rows(), wantRouting,
                spec.routing().capacityLimited() ? group : 0, r.compute().systemSettings());
        Npy.write(r.output(), x.rows(), spec.dModel(), answer.output());
        if (wantRouting)
        {
            final InferAnswer.Routing routing = answer.routing();
            TopKReportWriter.write(r.routing(), x.rows(), routing.entries(), routing.expert(), routing.gate());
        }
        System.out.printf("infer: layer %d (%s): %d tokens, %.1f ms through %s%n", spec.index(), spec.prefix(),
            x.rows(), (System.nanoTime() - start) / 1e6,
            r.connect() != null ? "gateway " + r.connect() : "the embedded system");
        return 0;
    }

    /** Switch: S tokens per sequence (default: the whole input); NLLB-MoE: the request; the others: none. */
    private static int groupSize(final MoeLayerSpec spec, final Integer requested, final int tokens)
    {
        if (requested == null)
        {
            return Math.max(1, tokens);
        }
        if (!spec.routing().capacityLimited())
        {
            throw new BadInputException("--group-size applies to the capacity families (switch_transformers, " +
                "nllb-moe); this layer routes every token alone");
        }
        return CliArgs.positive("--group-size", requested);
    }

    private static String summary(final Checkpoint checkpoint, final MoeLayerSpec spec, final int tokens, final int k,
        final int[] expert, final double millis)
    {
        int dropped = 0;
        for (final int e : expert)
        {
            dropped += e < 0 ? 1 : 0;
        }
        return String.format("infer: %s layer %d (%s): %d tokens, top-%d of %d experts, %d assignments dropped, " +
            "%.1f ms", checkpoint.family().modelType(), spec.index(), spec.prefix(), tokens, k, spec.experts(), dropped,
            millis);
    }
}
