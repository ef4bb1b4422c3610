package dev.switchyard.node.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.gateway.dispatch.GatewaySettings;
import dev.switchyard.node.config.ConfigCheck;
import dev.switchyard.node.http.HttpSettings;
import dev.switchyard.wire.BadInputException;

/**
 * Everything a node needs, read from the {@code switchyard} section of its configuration.
 *
 * @param model           model directory
 * @param role            all, gateway or experts
 * @param clusterHost     Pekko remoting host
 * @param clusterPort     Pekko remoting port (0: any free port)
 * @param seedNodes       HOST:PORT of seed nodes; empty founds a cluster of its own
 * @param systemName      actor system name, the same on every node of a cluster
 * @param bindHost        host clients reach the gateway at
 * @param gateway         gateway settings (its client port is the bind port)
 * @param groupSize       tokens per group, 0 for the model's
 * @param relocateEvery   how often the gateway asks where every expert lives
 * @param computeThreads  expert kernel threads
 * @param computeBackend  the experts' compute backend: vector, scalar, native or auto
 * @param keepAliveEvery  how often every expert is told to stay alive
 * @param identityExperts experts answer every block unchanged (times routing and the data plane alone)
 * @param dataPlane       Aeron settings
 * @param http            the HTTP listener (API, metrics, health)
 * @param sharedThread    a node with both roles runs gateway and expert endpoint on one thread
 */
public record NodeSettings(
    Path model,
    String role,
    String clusterHost,
    int clusterPort,
    List<String> seedNodes,
    String systemName,
    String bindHost,
    GatewaySettings gateway,
    int groupSize,
    Duration relocateEvery,
    int computeThreads,
    String computeBackend,
    Duration keepAliveEvery,
    boolean identityExperts,
    DataPlaneSettings dataPlane,
    HttpSettings http,
    boolean sharedThread)
{
    public boolean runsGateway()
    {
        return role.equals("all") || role.equals("gateway");
    }

    public boolean runsExperts()
    {
        return role.equals("all") || role.equals("experts");
    }

    public static NodeSettings from(final Config root)
    {
        ConfigCheck.validate(root);
        try
        {
            final Config c = root.getConfig("switchyard");
            final String role = c.getString("role");
            if (!List.of("all", "gateway", "experts").contains(role))
            {
                throw new BadInputException("switchyard.role must be all, gateway or experts (got '" + role + "')");
            }
            final String model = c.getString("model");
            if (model.isEmpty())
            {
                throw new BadInputException("no model: give --model DIR or switchyard.model in the configuration");
            }
            final String bind = c.getString("gateway.bind");
            final int colon = bind.lastIndexOf(':');
            if (colon < 1)
            {
                throw new BadInputException("switchyard.gateway.bind must be HOST:PORT (got '" + bind + "')");
            }
            final int bindPort = parsePort(bind.substring(colon + 1), "switchyard.gateway.bind");
            final String driver = c.getString("data-plane.driver");
            if (!driver.equals("embedded") && !driver.equals("external"))
            {
                throw new BadInputException("switchyard.data-plane.driver must be embedded or external (got '" +
                    driver + "')");
            }
            final String network = c.getString("experts.network");
            if (!network.equals("model") && !network.equals("identity"))
            {
                throw new BadInputException("switchyard.experts.network must be model or identity (got '" +
                    network + "')");
            }
            final List<String> seeds = new ArrayList<>(c.getStringList("cluster.seed-nodes"));
            final DataPlaneSettings plane = dataPlane(c, seeds, bind.substring(0, colon), driver);
            final GatewaySettings gateway = new GatewaySettings(
                bindPort,
                c.getLong("gateway.max-wait-us"),
                c.getBoolean("gateway.group-per-request"),
                c.getInt("gateway.max-queued-requests"),
                c.getInt("gateway.max-queued-tokens"),
                c.getInt("gateway.max-groups-in-flight"),
                c.getLong("gateway.deadline-ms") * 1000,
                20,
                c.getLong("gateway.block-resend-ms"));
            return new NodeSettings(
                Path.of(model),
                role,
                c.getString("cluster.host"),
                c.getInt("cluster.port"),
                seeds,
                c.getString("cluster.system-name"),
                bind.substring(0, colon),
                gateway,
                c.getInt("gateway.group-size"),
                c.getDuration("gateway.relocate-interval"),
                c.getInt("experts.compute-threads"),
                ComputeBackends.requireName(
                    "switchyard.experts.compute-backend", c.getString("experts.compute-backend")),
                c.getDuration("experts.keep-alive-interval"),
                network.equals("identity"),
                plane,
                HttpSettings.from(root),
                c.getBoolean("data-plane.shared-thread"));
        }
        catch (final ConfigException ex)
        {
            throw new BadInputException("configuration: " + ex.getMessage().replace('\n', ' '));
        }
    }

    /** The data plane's settings; its host as {@link DataPlaneHost} chooses it. */
    private static DataPlaneSettings dataPlane(final Config c, final List<String> seeds, final String bindHost,
        final String driver)
    {
        final String aeronDir = c.getString("data-plane.aeron-dir");
        return new DataPlaneSettings(
            DataPlaneHost.resolve(c.getString("data-plane.host"), c.getString("cluster.host"), seeds, bindHost),
            c.getInt("data-plane.expert-port"),
            c.getInt("data-plane.gateway-port"),
            driver.equals("embedded"),
            aeronDir.isEmpty() ? null : aeronDir,
            c.getString("data-plane.idle"),
            termLength(c, "data-plane.ipc-term-length"),
            termLength(c, "data-plane.udp-term-length"),
            c.getInt("data-plane.mtu"),
            c.getDuration("data-plane.pause-tolerance").toMillis());
    }

    /** A size, or 0 for {@code auto} (sized for the model's largest block when the node starts). */
    private static int termLength(final Config c, final String key)
    {
        if (c.getValue(key).unwrapped().equals("auto"))
        {
            return 0;
        }
        final long bytes = c.getBytes(key);
        if (bytes < 64 * 1024 || bytes > 1L << 30 || Long.bitCount(bytes) != 1)
        {
            throw new BadInputException("switchyard." + key + " must be auto or a power of two from 64k to 1g (got " +
                bytes + ")");
        }
        return (int)bytes;
    }

    private static int parsePort(final String text, final String key)
    {
        try
        {
            final int port = Integer.parseInt(text);
            if (port < 0 || port > 65535)
            {
                throw new NumberFormatException();
            }
            return port;
        }
        catch (final NumberFormatException ex)
        {
            throw new BadInputException(key + " has an invalid port '" + text + "'");
        }
    }
}
