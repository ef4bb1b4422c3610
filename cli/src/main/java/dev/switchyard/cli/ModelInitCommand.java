package dev.switchyard.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.transformer.model.TransformerGenerator;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code switchyard model init}: a valid random model directory (config.json + model.safetensors). */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = "Write a random model: config.json and model.safetensors, scaled so activations stay sane.")
final class ModelInitCommand implements Callable<Integer>
{
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to create.")
    Path out;

    @Option(names = "--d-model", required = true, paramLabel = "N", description = "Token width.")
    int dModel;

    @Option(names = "--d-ff", required = true, paramLabel = "N", description = "Expert hidden width.")
    int dFf;

    @Option(names = "--experts", required = true, paramLabel = "N", description = "Experts per layer (at least 2).")
    int experts;

    @Option(names = "--layers", paramLabel = "L", description = "MoE layers (default: ${DEFAULT-VALUE}).")
    int layers = 1;

    @Option(names = "--seed", paramLabel = "S",
        description = "Seed of the weights and of the random policy (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--activation", paramLabel = "A", description = "Expert activation (default: ${DEFAULT-VALUE}).")
    String activation = Activation.RELU.configName();

    @Option(names = "--expert-bias", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Experts have biases (default: ${DEFAULT-VALUE}; --no-expert-bias for none).")
    boolean expertBias;

    @Option(names = "--force", description = "Replace a model already in DIR.")
    boolean force;

    @Option(names = "--max-size", paramLabel = "SIZE",
        description = "Refuse a model whose weights file would be larger than SIZE, in bytes or with a K, M, G or T " +
            "suffix (default: no limit but the free space of DIR's disk).")
    String maxSize;

    @Mixin
    RoutingOptions routing;

    @Mixin
    TransformerOptions transformer;

    @Override
    public Integer call()
    {
        final ModelConfig config = new ModelConfig(
            dModel, dFf, experts, CliArgs.parse("--activation", activation, Activation::fromConfigName),
            expertBias, routing.toConfig(seed), transformer.wanted() ? transformer.toConfig() : null);
        ModelConfigJson.validate(config, "flags");
        CliArgs.positive("--layers", layers);
        if (Files.exists(out.resolve(ModelDirectory.CONFIG_FILE)) && !force)
        {
            throw new BadInputException("--out " + out + " already holds a model (add --force to replace it)");
        }
        ModelSizeGuard.check(out, transformer.wanted() ? TransformerGenerator.weightsBytes(config) :
            ModelGenerator.weightsBytes(config, layers), maxSize == null ? Long.MAX_VALUE :
            CliArgs.parse("--max-size", maxSize, ModelSizeGuard::parseSize), maxSize);
        final long start = System.nanoTime();
        if (transformer.wanted())
        {
            TransformerGenerator.generate(out, config, seed);
            System.out.printf("model: %s  %s transformer, d_model=%d heads=%d kv_dim=%d vocab=%d max_length=%d, " +
                "%s of %d experts  (%.1f MB, %.0f ms)%n", out, config.transformer().type().configName(),
                dModel, config.transformer().heads(), config.transformer().kvDim(), config.transformer().vocabSize(),
                config.transformer().maxLength(), Counts.of(config.transformer().moePrefixes().size(), "MoE layer"),
                experts,
                sizeOf(out.resolve(ModelDirectory.WEIGHTS_FILE)) / 1e6, (System.nanoTime() - start) / 1e6);
            return 0;
        }
        ModelGenerator.generate(out, config, layers, seed);
        System.out.printf(
            "model: %s  d_model=%d d_ff=%d experts=%d layers=%d activation=%s  (%.1f MB, %.0f ms)%n",
            out, dModel, dFf, experts, layers, config.activation().configName(),
            sizeOf(out.resolve(ModelDirectory.WEIGHTS_FILE)) / 1e6, (System.nanoTime() - start) / 1e6);
        return 0;
    }

    private static long sizeOf(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final java.io.IOException ex)
        {
            return 0;
        }
    }
}
