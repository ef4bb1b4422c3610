package dev.switchyard.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.switchyard.model.checkpoint.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code switchyard model inspect DIR [--json]}: what a Hugging Face MoE checkpoint folder serves. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Describe a Hugging Face MoE checkpoint folder: family, served layers with their checkpoint " +
        "prefixes, experts, top-k, capacity rule, shared experts and bytes per expert.")
final class ModelInspectCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "Checkpoint folder (config.json and safetensors).")
    Path dir;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        try (Checkpoint ckpt = Checkpoint.open(dir))
        {
            final PrintWriter out = spec.commandLine().getOut();
            out.print(json ? CheckpointSummary.json(ckpt) : CheckpointSummary.text(ckpt));
            out.flush();
        }
        return 0;
    }
}
