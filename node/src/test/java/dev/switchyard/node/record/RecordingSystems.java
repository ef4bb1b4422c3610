package dev.switchyard.node.record;

import java.nio.file.Path;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.testkit.Tokens;

/** An embedded system that records its traffic, with the small model and tokens the recording tests share. */
public final class RecordingSystems
{
    public static final int D = 16;
    public static final int G = 8;

    private RecordingSystems()
    {
    }

    public static ModelConfig config()
    {
        return new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L));
    }

    public static float[] tokens(final int rows, final long seed)
    {
        return Tokens.gaussian(rows, D, seed);
    }

    /** Small terms, so that a test's recording fills several segments. */
    public static EmbeddedSystem start(final Path modelDir, final Path archive)
    {
        return EmbeddedSystem.start(modelDir, ConfigFactory.parseString(
            "switchyard.gateway.max-wait-us = 100\n" +
            "switchyard.data-plane.ipc-term-length = 512k\n" +
            "switchyard.data-plane.udp-term-length = 64k\n" +
            "switchyard.record.term-length = 512k\n" +
            "switchyard.record.dir = \"" + archive + "\""));
    }
}
