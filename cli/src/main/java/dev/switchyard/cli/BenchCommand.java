package dev.switchyard.cli;

import picocli.CommandLine.Command;

/** {@code switchyard bench ...}: measurements a user runs by hand (never part of the test suite). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks: expert kernels and whole layers.",
    subcommands = {BenchKernelCommand.class, BenchLayerCommand.class, BenchDecodeCommand.class})
final class BenchCommand implements Runnable
{
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
