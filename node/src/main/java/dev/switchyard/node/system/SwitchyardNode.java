package dev.switchyard.node.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.experts.endpoint.ExpertEndpoint;
import dev.switchyard.gateway.dispatch.GatewayCore;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.node.cluster.FailureProfile;
import dev.switchyard.node.metrics.NodeHealth;
import dev.switchyard.node.placement.PlacementBoard;
import dev.switchyard.node.record.TrafficRecorder;
import org.agrona.CloseHelper;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Switchyard node: its data plane (media driver and Aeron client), its actor system in the
 * cluster, and by role a gateway (data-plane core and the locator that feeds it routes) and/or the
 * expert endpoint that serves whichever experts sharding places here.
 * <p>
 * The node is its roles, each a unit that starts its part and closes it, started in this order and
 * closed in reverse: {@link NodeBase} (model, data plane), {@link ExpertRole}, {@link ClusterRole}
 * (actor system, sharding, join), {@link GatewayRole} (with its {@link RecordingRole}),
 * {@link PlacementRole} (whose close is the leave), {@link HttpRole} (health, HTTP). The roles talk
 * through actor messages and the data plane's command queues, never through a shared map.
 */
public final class SwitchyardNode implements AutoCloseable
{
    public static final String ROLE_GATEWAY = "gateway";
    public static final String ROLE_EXPERTS = "experts";
    private static final Logger LOG = LoggerFactory.getLogger(SwitchyardNode.class);

    private final NodeSettings settings;
    private final NodeBase base;
    private final ExpertRole experts;
    private final ClusterRole cluster;
    private final GatewayRole gateway;
    private final HttpRole http;
    private final List<AutoCloseable> roles;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SwitchyardNode(
        final NodeSettings settings, final NodeBase base, final ExpertRole experts, final ClusterRole cluster,
        final GatewayRole gateway, final PlacementRole placement, final HttpRole http)
    {
        this.settings = settings;
        this.base = base;
        this.experts = experts;
        this.cluster = cluster;
        this.gateway = gateway;
        this.http = http;
        final List<AutoCloseable> inOrder = new ArrayList<>(List.of(base, experts, cluster));
        if (gateway != null)
        {
            inOrder.add(gateway);
        }
        inOrder.add(placement);
        inOrder.add(http);
        this.roles = List.copyOf(inOrder);
    }

    /** Starts a node from a full configuration (the {@code switchyard} and {@code pekko} sections). */
    public static SwitchyardNode start(final Config config)
    {
        final Config full = config
            .withFallback(FailureProfile.pekkoSettings(config))
            .withFallback(ConfigFactory.parseResources(SwitchyardNode.class.getClassLoader(), "switchyard-pekko.conf"))
            .withFallback(ConfigFactory.defaultReference(SwitchyardNode.class.getClassLoader()))
            .resolve();
        final NodeSettings settings = NodeSettings.from(full);
        final StartedParts started = new StartedParts();
        try
        {
            final NodeBase base = started.add(NodeBase.start(settings));
            final ExpertRole experts = started.add(ExpertRole.start(settings, base));
            final ClusterRole cluster = started.add(ClusterRole.start(settings, full, experts.host()));
            final GatewayRole gateway = settings.runsGateway() ?
                started.add(GatewayRole.start(settings, full, base, experts.endpoint(), cluster)) : null;
            // Not among what a failed start closes: its close is the leave, which waits, while a start
            // that failed stops at once (ClusterRole's close terminates the actor system and goes on).
            final PlacementRole placement = PlacementRole.start(settings, base, cluster, experts.endpoint(), gateway);
            final HttpRole http = started.add(HttpRole.start(settings, base, cluster,
                gateway == null ? null : gateway.core(), experts.endpoint()));
            return new SwitchyardNode(settings, base, experts, cluster, gateway, placement, http);
        }
        catch (final RuntimeException ex)
        {
            started.close();
            throw ex;
        }
    }

    /** Whether the data plane is up, and which part stopped once one has ({@code /health}). */
    public NodeHealth health()
    {
        return http.health();
    }

    public NodeSettings settings()
    {
        return settings;
    }

    public ModelConfig modelConfig()
    {
        return base.modelConfig();
    }

    /** The model directory this node serves, or null where it serves a checkpoint folder. */
    public ModelDirectory model()
    {
        return base.model().directory();
    }

    public DataPlane dataPlane()
    {
        return base.dataPlane();
    }

    /** The gateway's data plane, or null on a node without the gateway role. */
    public GatewayCore gateway()
    {
        return gateway == null ? null : gateway.core();
    }

    /** The expert endpoint, or null on a node without the experts role. */
    public ExpertEndpoint endpoint()
    {
        return experts.endpoint();
    }

    /** The recorder of this node's gateway traffic, or null when it records nothing. */
    public TrafficRecorder recorder()
    {
        return gateway == null ? null : gateway.recording().recorder();
    }

    public GatewayMetrics metrics()
    {
        return base.metrics();
    }

    /** What this node knows of placement: measured work, extra copies, copies moving. */
    public PlacementBoard placement()
    {
        return cluster.board();
    }

    /** The port of /metrics, or 0 without HTTP. */
    public int httpPort()
    {
        return http.port();
    }

    public ActorSystem<Void> actorSystem()
    {
        return cluster.system();
    }

    /** HOST:PORT of this node's Pekko remoting, to give other nodes as a seed. */
    public String clusterAddress()
    {
        final Address address = Cluster.get(cluster.system()).selfMember().address();
        return address.getHost().get() + ":" + address.getPort().get();
    }

    /** Waits until the gateway knows where every expert lives. */
    public void awaitReady(final Duration timeout) throws TimeoutException
    {
        final GatewayCore core = gateway();
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (core != null && !core.allRoutesKnown())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new TimeoutException("experts not all located within " + timeout.toSeconds() + " s");
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new TimeoutException("interrupted while waiting for the experts");
            }
        }
    }

    /**
     * Stops gracefully: the gateway first takes no new requests and answers those it took
     * ({@code switchyard.gateway.drain-timeout} at most); then the node leaves the cluster, sharding
     * handing its experts off (each drains first), and its parts stop in order: its roles, the last
     * started first.
     */
    @Override
    public synchronized void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        if (gateway != null)
        {
            final int unanswered = gateway.drain();
            if (unanswered > 0)
            {
                LOG.warn("{} requests were still unanswered when the drain timeout ended; they are answered " +
                    "SHUTTING_DOWN", unanswered);
            }
        }
        CloseHelper.closeAll(roles.reversed());
    }
}
