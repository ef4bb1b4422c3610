package dev.switchyard.cli;

import picocli.CommandLine.Command;

/** {@code switchyard cluster ...}: a running cluster, seen from outside. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "Inspect a running cluster.",
    subcommands = {ClusterStatusCommand.class})
final class ClusterCommand implements Runnable
{
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
