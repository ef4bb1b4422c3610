package dev.switchyard.node.cluster;

import java.nio.file.Path;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The configuration of one node of a test cluster on loopback: ports chosen by the system, fast
 * relocation and keep-alive, and no JVM shutdown hook (the test stops its nodes).
 */
public final class LoopbackNodeConfig
{
    private LoopbackNodeConfig()
    {
    }

    /**
     * @param seed  the cluster address of the first node, or null for the first node itself
     * @param extra more HOCON lines (settings of the test), each ending in a newline
     */
    public static Config of(final Path model, final String role, final String seed, final String extra)
    {
        return ConfigFactory.parseString(
            "switchyard.model = \"" + model.toString().replace("\\", "/") + "\"\n" +
            "switchyard.role = " + role + "\n" +
            "switchyard.cluster.port = 0\n" +
            "switchyard.cluster.seed-nodes = [" + (seed == null ? "" : "\"" + seed + "\"") + "]\n" +
            "switchyard.gateway.bind = \"127.0.0.1:0\"\n" +
            "switchyard.gateway.relocate-interval = 1s\n" +
            "switchyard.gateway.block-resend-ms = 1000\n" +
            "switchyard.experts.keep-alive-interval = 1s\n" +
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n" +
            "pekko.cluster.sharding.rebalance-interval = 1s\n" +
            extra);
    }
}
