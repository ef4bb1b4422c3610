package dev.switchyard.node.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.wire.BadInputException;
import org.agrona.CloseHelper;

/**
 * The whole system in one JVM: an embedded media driver, a cluster of one, the gateway and every
 * expert, on loopback with free ports. {@link #client()} talks to the gateway over IPC; other
 * processes connect to {@link #gatewayAddress()} over UDP.
 */
public final class EmbeddedSystem implements AutoCloseable
{
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final SwitchyardNode node;
    private SwitchyardClient client;

    private EmbeddedSystem(final SwitchyardNode node)
    {
        this.node = node;
    }

    /** Starts the system for the model in {@code modelDir} and waits until every expert is located. */
    public static EmbeddedSystem start(final Path modelDir)
    {
        return start(modelDir, ConfigFactory.empty());
    }

    /**
     * @param overrides settings under {@code switchyard.*} (and {@code pekko.*}) that replace the
     *                  embedded defaults, e.g. {@code switchyard.gateway.group-per-request = true}
     */
    public static EmbeddedSystem start(final Path modelDir, final Config overrides)
    {
        final Config config = overrides
            .withFallback(ConfigFactory.empty()
                .withValue("switchyard.model", ConfigValueFactory.fromAnyRef(modelDir.toString()))
                .withValue("switchyard.role", ConfigValueFactory.fromAnyRef("all"))
                .withValue("switchyard.cluster.port", ConfigValueFactory.fromAnyRef(0))
                .withValue("switchyard.gateway.bind", ConfigValueFactory.fromAnyRef("127.0.0.1:0"))
                .withValue("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook",
                    ConfigValueFactory.fromAnyRef("off")));
        final SwitchyardNode node = SwitchyardNode.start(config);
        try
        {
            node.awaitReady(READY_TIMEOUT);
        }
        catch (final TimeoutException ex)
        {
            node.close();
            throw new BadInputException("the embedded system did not start: " + ex.getMessage());
        }
        return new EmbeddedSystem(node);
    }

    /** A client over IPC, shared, closed with the system. */
    public synchronized SwitchyardClient client()
    {
        if (client == null)
        {
            client = SwitchyardClient.ipc(node.dataPlane());
        }
        return client;
    }

    /** HOST:PORT where other processes connect ({@link SwitchyardClient#connect(String)}). */
    public String gatewayAddress()
    {
        final String channel = node.gateway().clientChannel();
        return channel.substring(channel.indexOf("endpoint=") + "endpoint=".length()).split("\\|")[0];
    }

    public GatewayMetrics metrics()
    {
        return node.metrics();
    }

    public SwitchyardNode node()
    {
        return node;
    }

    @Override
    public synchronized void close()
    {
        CloseHelper.quietClose(client);
        node.close();
    }
}
