package dev.switchyard.gateway.http;

import java.nio.file.Path;
import java.time.Duration;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.gateway.system.SwitchyardNode;
import dev.switchyard.router.config.Activation;
import dev.switchyard.router.config.ModelConfig;
import dev.switchyard.router.config.Normalize;
import dev.switchyard.router.config.RoutingConfig;
import dev.switchyard.router.config.SecondPolicy;
import dev.switchyard.router.io.Npy;
import dev.switchyard.router.io.NpyArray;
import dev.switchyard.router.model.ModelDirectory;
import dev.switchyard.router.model.ModelGenerator;
import dev.switchyard.testkit.Tokens;
import org.agrona.CloseHelper;

/** A one-node cluster with an HTTP listener, for the tests of the listener's edges. */
final class TestNode implements AutoCloseable
{
    static final int D = 16;

    final SwitchyardNode node;
    final ModelDirectory model;
    final int port;

    /** @param http lines of {@code switchyard.http} settings (HOCON) on top of the port */
    TestNode(final Path dir, final String http) throws Exception
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

    String base()
    {
        return "http://127.0.0.1:" + port;
    }

    static byte[] npyTokens(final int rows, final long seed)
    {
        return Npy.bytes(NpyArray.matrix(rows, D, Tokens.gaussian(rows, D, seed)));
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(node, model);
    }
}
