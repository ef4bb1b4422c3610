package dev.switchyard.cli;

import picocli.CommandLine.Command;

/** {@code switchyard model ...}: model directories. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Create and inspect model directories.",
    subcommands = {ModelInitCommand.class, ModelInspectCommand.class})
final class ModelCommand implements Runnable
{
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
