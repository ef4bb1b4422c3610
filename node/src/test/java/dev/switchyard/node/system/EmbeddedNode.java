package dev.switchyard.node.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension that gives a test class one embedded system (gateway, expert actors, Aeron) over a
 * random model of its own, started before the first test and closed, with its model folder deleted,
 * after the last:
 * <pre>
 * &#64;RegisterExtension
 * static final EmbeddedNode NODE = new EmbeddedNode(EmbeddedNode.smallModel(16, 64), 1, 42,
 *     "switchyard.gateway.max-wait-us = 100");
 * </pre>
 * Register it on a static field: one system per class, as starting one takes seconds.
 */
public final class EmbeddedNode implements BeforeAllCallback, AfterAllCallback
{
    private final ModelConfig config;
    private final int layers;
    private final long seed;
    private final String settings;
    private Path folder;
    private ModelDirectory model;
    private EmbeddedSystem system;

    /**
     * @param settings HOCON lines on top of the node's defaults
     */
    public EmbeddedNode(final ModelConfig config, final int layers, final long seed, final String settings)
    {
        this.config = config;
        this.layers = layers;
        this.seed = seed;
        this.settings = settings;
    }

    /** d_model {@code d}, d_ff 32, 4 relu experts with biases, groups of {@code groupSize}, capacity factor 2. */
    public static ModelConfig smallModel(final int d, final int groupSize)
    {
        return new ModelConfig(d, 32, 4, Activation.RELU, true,
            new RoutingConfig(groupSize, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L));
    }

    @Override
    public void beforeAll(final ExtensionContext context) throws IOException
    {
        folder = Files.createTempDirectory("switchyard-embedded-");
        final Path modelDir = folder.resolve("model");
        ModelGenerator.generate(modelDir, config, layers, seed);
        model = ModelDirectory.open(modelDir);
        system = EmbeddedSystem.start(modelDir, ConfigFactory.parseString(settings));
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        CloseHelper.closeAll(system, model);
        try (Stream<Path> files = Files.walk(folder))
        {
            for (final Path p : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public EmbeddedSystem system()
    {
        return system;
    }

    public ModelDirectory model()
    {
        return model;
    }

    public Path modelDir()
    {
        return model.path();
    }
}
