package dev.switchyard.model.directory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.model.io.SafeTensorsWriter;
import dev.switchyard.wire.BadInputException;

/**
 * Writes a random, valid model directory, fully determined by the config, the layer count and the seed.
 * <p>
 * Initialisation keeps activations near unit scale: router and {@code wi} ~ N(0, 1/d_model),
 * {@code wo} ~ N(0, 1/d_ff), biases ~ N(0, 0.02²). Every tensor draws from its own
 * {@link SplittableRandom} split off the seed's in a fixed order, and is generated while it is written,
 * so no tensor, let alone the model, is ever held in memory.
 */
public final class ModelGenerator
{
    public static final double BIAS_STD = 0.02;

    private ModelGenerator()
    {
    }

    /**
     * Writes {@code dir/model.safetensors} then {@code dir/config.json}; a one-layer model has
     * unprefixed tensor names, a deeper one {@code layers.{L}.} prefixes.
     *
     * @throws BadInputException when the config or layer count is out of range, the directory already
     *                           holds a model file, or the files cannot be written
     */
    public static void generate(final Path dir, final ModelConfig config, final int layers, final long seed)
    {
        final Path configFile = dir.resolve(ModelDirectory.CONFIG_FILE);
        final Path weightsFile = dir.resolve(ModelDirectory.WEIGHTS_FILE);
        ModelConfigJson.validate(config, configFile.toString());
        if (layers < 1)
        {
            throw new BadInputException("layers must be >= 1 (got " + layers + ")");
        }
        final SafeTensorsWriter writer = weights(config, layers, seed);
        createEmptyModelDirectory(dir, configFile, weightsFile);
        // Weights first: a config.json in a directory means its model is complete.
        writer.write(weightsFile);
        ModelConfigJson.write(configFile, config);
    }

    /** The size in bytes of the {@code model.safetensors} that {@link #generate} writes for this config. */
    public static long weightsBytes(final ModelConfig config, final int layers)
    {
        return weights(config, layers, 0).fileBytes();
    }

    /** The tensors of the model, each generated only when the writer pulls it. */
    private static SafeTensorsWriter weights(final ModelConfig config, final int layers, final long seed)
    {
        final SplittableRandom root = new SplittableRandom(seed);
        final SafeTensorsWriter writer = new SafeTensorsWriter();
        for (int layer = 0; layer < layers; layer++)
        {
            addMoeLayer(writer, root, config, TensorNames.prefix(layer, layers > 1));
        }
        return writer;
    }

    /**
     * Adds the router and experts of one MoE layer, every name prefixed with {@code prefix}, each tensor
     * drawing from its own split of {@code root}.
     */
    public static void addMoeLayer(
        final SafeTensorsWriter writer, final SplittableRandom root, final ModelConfig config, final String p)
    {
        final long e = config.numExperts();
        final long dModel = config.dModel();
        final long dFf = config.dFf();
        final double inScale = 1.0 / Math.sqrt(dModel);
        final double outScale = 1.0 / Math.sqrt(dFf);
        gaussian(writer, root, TensorNames.router(p), inScale, e, dModel);
        for (int x = 0; x < config.numExperts(); x++)
        {
            gaussian(writer, root, TensorNames.wi(p, x), inScale, dFf, dModel);
            if (config.expertBias())
            {
                gaussian(writer, root, TensorNames.wiBias(p, x), BIAS_STD, dFf);
            }
            if (config.activation().gated())
            {
                gaussian(writer, root, TensorNames.wg(p, x), inScale, dFf, dModel);
            }
            gaussian(writer, root, TensorNames.wo(p, x), outScale, dModel, dFf);
            if (config.expertBias())
            {
                gaussian(writer, root, TensorNames.woBias(p, x), BIAS_STD, dModel);
            }
        }
    }

    /** Adds {@code name} ~ N(0, std²) of {@code shape}, drawn from its own split of {@code root}. */
    public static void gaussian(
        final SafeTensorsWriter writer,
        final SplittableRandom root,
        final String name,
        final double std,
        final long... shape)
    {
        // Split now, in the fixed order above; the writer pulls tensors in name order later.
        final SplittableRandom random = root.split();
        long n = 1;
        for (final long d : shape)
        {
            n *= d;
        }
        final long count = n;
        writer.add(name, shape, sink ->
        {
            for (long i = 0; i < count; i++)
            {
                sink.put((float)(random.nextGaussian() * std));
            }
        });
    }

    /** Creates {@code dir} for a new model, refusing to overwrite the files of one already there. */
    public static void createEmptyModelDirectory(final Path dir, final Path configFile, final Path weightsFile)
    {
        for (final Path existing : new Path[] {configFile, weightsFile})
        {
            if (Files.exists(existing))
            {
                throw new BadInputException(existing + " already exists; refusing to overwrite a model");
            }
        }
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot create model directory " + dir + ": " + ex, ex);
        }
    }
}
