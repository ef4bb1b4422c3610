package dev.switchyard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.switchyard.compute.router.RouterProjection;
import dev.switchyard.model.checkpoint.MoeFamily;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.model.io.RoutingReportWriter;
import dev.switchyard.node.system.SystemInference;
import dev.switchyard.routing.gating.SequenceGating;
import dev.switchyard.routing.plan.RoutingRecord;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code switchyard infer}: one token file through one MoE layer, with its routing report. */
@Command(
    name = "infer",
    mixinStandardHelpOptions = true,
    description = "Run a token file [T, d_model] through one MoE layer and write the output [T, d_model].")
final class InferCommand implements Callable<Integer>
{
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Tokens, float32 [T, d_model].")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "Y.npy", description = "Output, float32 [T, d_model].")
    Path output;

    @Option(names = "--routing", paramLabel = "R.json", description = "Write the routing report here.")
    Path routing;

    @Option(names = "--importance", paramLabel = "I.npy", description = "Per-token importance, float32 [T].")
    Path importance;

    @Option(names = "--layer", paramLabel = "L", description = "MoE layer of the model (default: ${DEFAULT-VALUE}).")
    int layer;

    @Option(names = "--unavailable-experts", paramLabel = "E1,E2", split = ",",
        description = "With --local: compute as if these experts could not be reached (capacity 0), as a " +
            "gateway's degraded answer does.")
    List<String> unavailableExperts;

    @Option(names = "--group-size", paramLabel = "S",
        description = "Hugging Face checkpoints of the capacity families: tokens per routing group (Switch: the " +
            "sequence length; default: the whole input).")
    Integer groupSize;

    @ArgGroup(exclusive = true)
    Where where = new Where();

    @Mixin
    ComputeOptions compute;

    static final class Where
    {
        @Option(names = "--local", description = "Compute in this process.")
        boolean local;

        @Option(names = "--connect", paramLabel = "HOST:PORT",
            description = "Use a running Switchyard gateway: HOST:PORT (Aeron; several gateways of one cluster " +
                "comma-separated, each request going to another when one stops) or http://HOST:PORT (its HTTP API).")
        String connect;

        /**
         * Refuses a --connect value that cannot name a gateway, before anything is loaded.
         *
         * @param http the command can use a gateway's HTTP API (http://HOST:PORT)
         */
        void check(final boolean http)
        {
            if (connect == null)
            {
                return;
            }
            if (http && connect.startsWith("http://"))
            {
                ConnectAddress.httpRoot("--connect", connect);
                return;
            }
            if (http && connect.contains("://"))
            {
                throw new BadInputException("--connect takes HOST:PORT (the gateway's client address) or " +
                    "http://HOST:PORT (its HTTP API) (got '" + connect + "')");
            }
            ConnectAddress.hostPorts("--connect", connect, "the gateway's client address (serve --bind)",
                http ? "" : "; the HTTP API serves infer only");
        }
    }

    @Override
    public Integer call()
    {
        where.check(true);
        // Where the results go is checked before anything is computed.
        CliArgs.writableFile("--output", output);
        CliArgs.writableFile("--routing", routing);
        if (MoeFamily.isCheckpoint(CliArgs.existingDirectory("--model", model)))
        {
            if (importance != null)
            {
                throw new BadInputException("--importance applies to Switchyard model directories (Mesh TF " +
                    "gating); a checkpoint's family routes every token by its router alone");
            }
            checkMemory();
            return CheckpointInfer.run(new CheckpointInfer.Request(model, layer, input, output, routing, groupSize,
                unavailableExperts, where.local, where.connect, compute));
        }
        if (groupSize != null)
        {
            throw new BadInputException("--group-size applies to Hugging Face checkpoints; a model directory's " +
                "group size is its config's");
        }
        try (ModelDirectory dir = ModelDirectory.open(CliArgs.existingDirectory("--model", model)))
        {
            if (layer < 0 || layer >= dir.layerCount())
            {
                throw new BadInputException(
                    "--layer " + layer + ": model " + model + " has layers 0.." + (dir.layerCount() - 1));
            }
            final int d = dir.config().dModel();
            checkMemory();
            final NpyArray x = TokenFiles.readTokens("--input", input, d);
            final float[] imp = TokenFiles.readImportance("--importance", importance, x.rows());
            final boolean[] unavailable = unavailable(dir.config().numExperts());
            if (unavailable != null && !where.local)
            {
                throw new BadInputException("--unavailable-experts needs --local (a running system skips the " +
                    "experts it cannot reach by itself)");
            }
            if (!where.local)
            {
                final long start = System.nanoTime();
                final SystemInference.Result r = where.connect != null && where.connect.startsWith("http://") ?
                    HttpInference.run(where.connect, dir, layer, x.data(), x.rows(), imp, routing != null) :
                    where.connect != null ?
                    SystemInference.connected(where.connect, dir, layer, x.data(), x.rows(), imp, routing != null) :
                    SystemInference.embedded(model, dir, layer, x.data(), x.rows(), imp, routing != null,
                        compute.systemSettings());
                Npy.write(output, x.rows(), d, r.output());
                if (routing != null)
                {
                    RoutingReportWriter.write(routing, r.report());
                }
                final double millis = (System.nanoTime() - start) / 1e6;
                // The drop causes are the gateway's routing, recomputed here: gating is exact and cheap.
                final RoutingRecord rec = SequenceGating.route(new RouterProjection(dir.router(layer)),
                    dir.config().routing(), x.data(), x.rows(), imp);
                System.out.println(RoutingSummary.line("infer", rec, millis) + " through " +
                    (where.connect != null ? "gateway " + where.connect : "the embedded system"));
                return 0;
            }
            final LocalInference.Result r =
                LocalInference.run(dir, layer, x.data(), x.rows(), imp, unavailable, compute, null);
            Npy.write(output, x.rows(), d, r.output());
            if (routing != null)
            {
                RoutingReportWriter.write(routing, r.routing().toReport());
            }
            System.out.println(RoutingSummary.line("infer", r.routing(), r.computeNanos() / 1e6) +
                (unavailable == null ? "" : " without experts " + String.join(",", unavailableExperts)));
            return 0;
        }
    }

    /**
     * Refuses, before reading it, a token file whose tokens, outputs and the copies made on their way
     * through the experts would not fit the heap.
     */
    private void checkMemory()
    {
        final long size;
        try
        {
            size = Files.size(CliArgs.existingFile("--input", input));
        }
        catch (final IOException ex)
        {
            throw new BadInputException("--input " + input + ": " + ex.getMessage());
        }
        MemoryBudget.require("infer --input " + input, MemoryBudget.bytesText(size) + " of tokens", 4.0 * size,
            size / (double)Float.BYTES);
    }

    /** The experts named by --unavailable-experts as flags [E], or null when none is named. */
    private boolean[] unavailable(final int experts)
    {
        return unavailableFlags(unavailableExperts, experts);
    }

    /** {@code --unavailable-experts} as [E] flags, or null when none is named. */
    static boolean[] unavailableFlags(final List<String> names, final int experts)
    {
        if (names == null || names.isEmpty())
        {
            return null;
        }
        final boolean[] flags = new boolean[experts];
        for (final String name : names)
        {
            final int e;
            try
            {
                e = Integer.parseInt(name.strip());
            }
            catch (final NumberFormatException ex)
            {
                throw new BadInputException("--unavailable-experts: '" + name + "' is not an expert number");
            }
            if (e < 0 || e >= experts)
            {
                throw new BadInputException("--unavailable-experts: expert " + e + " does not exist (the model has " +
                    "experts 0.." + (experts - 1) + ")");
            }
            flags[e] = true;
        }
        return flags;
    }
}
