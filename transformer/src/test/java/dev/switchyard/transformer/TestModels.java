package dev.switchyard.transformer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.LayerType;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.ModelType;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.config.TransformerConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.transformer.forward.Transformer;
import dev.switchyard.transformer.model.TransformerGenerator;
import dev.switchyard.transformer.model.TransformerModel;
import dev.switchyard.transformer.moe.LocalMoeLayers;

/** Small random transformer models for tests. */
public final class TestModels
{
    private TestModels()
    {
    }

    public static List<LayerType> layers(final String csv)
    {
        return Arrays.stream(csv.split(",")).map(LayerType::fromConfigName).toList();
    }

    /** d 32, d_ff 48, 4 experts, groups of 8, vocab 23, 3 heads of 8, window 3. */
    public static ModelConfig config(final ModelType type, final String encoder, final String decoder,
        final int maxLength, final boolean sharedSoftmax)
    {
        final RoutingConfig routing = new RoutingConfig(8, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY,
            false, 0);
        final TransformerConfig t = new TransformerConfig(type, 23, type == ModelType.ENCDEC ? 19 : 23, maxLength, 3, 8,
            1e-6, false, sharedSoftmax, 3, 1.5, 2,
            encoder == null ? List.of() : layers(encoder), layers(decoder));
        return new ModelConfig(32, 48, 4, Activation.RELU, true, routing, t);
    }

    public static Path write(final Path dir, final ModelConfig config, final long seed)
    {
        TransformerGenerator.generate(dir, config, seed);
        return dir;
    }

    /** A model directory, its transformer and local MoE layers, closed together. */
    public record Loaded(ModelDirectory dir, TransformerModel model, LocalMoeLayers moe) implements AutoCloseable
    {
        public Transformer transformer()
        {
            return new Transformer(model, ComputeBackends.vector(ComputePool.callerOnly()), moe);
        }

        @Override
        public void close()
        {
            dir.close();
        }
    }

    public static Loaded load(final Path dir)
    {
        final ModelDirectory d = ModelDirectory.open(dir);
        final var backend = ComputeBackends.vector(ComputePool.callerOnly());
        return new Loaded(d, TransformerModel.load(d, backend), new LocalMoeLayers(d, backend));
    }

    /** [rows, length] ids in 2..vocab-1 with trailing padding of a random length per row. */
    public static int[] ids(final SplittableRandom random, final int rows, final int length, final int vocab,
        final boolean padded)
    {
        final int[] ids = new int[rows * length];
        for (int b = 0; b < rows; b++)
        {
            final int used = padded ? 1 + random.nextInt(length) : length;
            for (int p = 0; p < used; p++)
            {
                ids[b * length + p] = 2 + random.nextInt(vocab - 2);
            }
        }
        return ids;
    }

    /** [rows, length] packed segment ids 1, 1, 2, 2, 2, ... with 0 where ids are padding. */
    public static int[] segments(final SplittableRandom random, final int[] ids, final int rows, final int length)
    {
        final int[] seg = new int[rows * length];
        for (int b = 0; b < rows; b++)
        {
            int s = 1;
            for (int p = 0; p < length; p++)
            {
                if (ids[b * length + p] == 0)
                {
                    continue;
                }
                if (p > 0 && random.nextInt(4) == 0)
                {
                    s++;
                }
                seg[b * length + p] = s;
            }
        }
        return seg;
    }
}
