package dev.switchyard.cli;

import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import picocli.CommandLine.Option;

/** The routing flags shared by the commands that create models. */
final class RoutingOptions
{
    @Option(names = "--group-size", paramLabel = "N", description = "Tokens per group (default: ${DEFAULT-VALUE}).")
    int groupSize = RoutingConfig.defaults().groupSize();

    @Option(names = "--capacity-factor", paramLabel = "F", description = "Capacity factor (default: ${DEFAULT-VALUE}).")
    double capacityFactor = RoutingConfig.defaults().capacityFactor();

    @Option(names = "--min-capacity", paramLabel = "N",
        description = "Minimum expert capacity (default: ${DEFAULT-VALUE}).")
    int minCapacity = RoutingConfig.defaults().minCapacity();

    @Option(names = "--second-policy", paramLabel = "P",
        description = "all | none | threshold | random (default: ${DEFAULT-VALUE}).")
    String secondPolicy = RoutingConfig.defaults().secondPolicy().configName();

    @Option(names = "--second-threshold", paramLabel = "F",
        description = "Threshold of the threshold and random policies (default: ${DEFAULT-VALUE}).")
    double secondThreshold = RoutingConfig.defaults().secondThreshold();

    @Option(names = "--normalize", paramLabel = "V",
        description = "before_capacity | after_capacity (default: ${DEFAULT-VALUE}).")
    String normalize = RoutingConfig.defaults().normalize().configName();

    @Option(names = "--second-place-loss", description = "Add the second-place balancing loss.")
    boolean secondPlaceLoss;

    RoutingConfig toConfig(final long randomSeed)
    {
        return new RoutingConfig(
            groupSize,
            capacityFactor,
            minCapacity,
            CliArgs.parse("--second-policy", secondPolicy, SecondPolicy::fromConfigName),
            secondThreshold,
            CliArgs.parse("--normalize", normalize, Normalize::fromConfigName),
            secondPlaceLoss,
            randomSeed);
    }
}
