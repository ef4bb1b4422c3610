package dev.switchyard.node.http;

import java.nio.file.Path;
import java.time.Duration;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.node.system.SwitchyardNode;
import dev.switchyard.testkit.Tokens;
import org.agrona.CloseHelper;

/** A one-node cluster with an HTTP listener, for the tests of the listener's edges. */
public final class TestNode implements AutoCloseable
{
    public static final int D = 16;

    public final SwitchyardNode node;
    public final ModelDirectory model;
    public final int port;

    /** @param http lines of {@code switchyard.http} settings (HOCON) on top of the port */
    public TestNode(final Path dir, final String http) throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(8, 1.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 1, 17);
        model = ModelDirectory.open(modelDir);
        node = SwitchyardNode.start(ConfigFactory.parseString(
            "switchyard.model = \"" + modelDir.toString().replace("\\", "/") + "\"\n" +
            "switchyard.cluster.port = 0\n" +
            "switchyard.gateway.bind = \"127.0.0.1:0\"\n" +
            "switchyard.http.port = " + HttpApiTest.freePort() + "\n" +
            http + "\n" +
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n"));
        node.awaitReady(Duration.ofSeconds(60));
        port = node.httpPort();
    }

    public String base()
    {
        return "http://127.0.0.1:" + port;
    }

    public static byte[] npyTokens(final int rows, final long seed)
    {
        return Npy.bytes(NpyArray.matrix(rows, D, Tokens.gaussian(rows, D, seed)));
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(node, model);
    }
}
