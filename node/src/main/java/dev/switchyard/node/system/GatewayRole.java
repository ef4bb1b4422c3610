package dev.switchyard.node.system;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import dev.switchyard.dataplane.AgentErrors;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.experts.endpoint.ExpertEndpoint;
import dev.switchyard.gateway.dispatch.ClientPolicy;
import dev.switchyard.gateway.dispatch.GatewayCore;
import dev.switchyard.gateway.dispatch.GatewaySettings;
import dev.switchyard.gateway.gating.LayerGating;
import dev.switchyard.node.cluster.ExpertLocator;
import dev.switchyard.wire.BadInputException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;

/**
 * The gateway role: the data-plane core that gates requests and sends their blocks, the
 * {@link ExpertLocator} that tells it where every expert lives, and the recording of its traffic.
 * The core asks the locator to relocate an expert it lost, and the locator feeds the core routes:
 * the locator comes first and waits, the core is built with its reference, and the locator is told
 * to serve once the core runs. With the expert role on this node and a shared thread, one thread
 * runs both the core and the endpoint.
 */
final class GatewayRole implements AutoCloseable
{
    private static final Duration LOCATE_TIMEOUT = Duration.ofSeconds(3);
    /**
     * Once drained, the gateway still answers SHUTTING_DOWN while requests keep coming (from clients
     * that have not heard yet; they then go to another gateway), until none came for the quiet time,
     * at most the linger: a request on its way gets that answer rather than none. A gateway that had
     * no request for the quiet time stops at once.
     */
    private static final long DRAIN_LINGER_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long DRAIN_QUIET_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final GatewayCore core;
    private final RecordingRole recording;
    private final ActorRef<ExpertLocator.Command> locator;
    private final boolean shared;
    private final Duration drainTimeout;

    private GatewayRole(
        final GatewayCore core, final RecordingRole recording, final ActorRef<ExpertLocator.Command> locator,
        final boolean shared, final Duration drainTimeout)
    {
        this.core = core;
        this.recording = recording;
        this.locator = locator;
        this.shared = shared;
        this.drainTimeout = drainTimeout;
    }

    /** @param endpoint this node's expert endpoint, or null on a node without the experts role */
    static GatewayRole start(
        final NodeSettings settings, final Config full, final NodeBase base, final ExpertEndpoint endpoint,
        final ClusterRole cluster)
    {
        final LayerGating[] gatings = base.model().gatings();
        final ActorRef<ExpertLocator.Command> locator = cluster.system().systemActorOf(
            ExpertLocator.create(base.layers(), base.experts(), cluster.board(), settings.relocateEvery(),
                LOCATE_TIMEOUT),
            "expert-locator", Props.empty());
        final StartedParts started = new StartedParts();
        try
        {
            final GatewayCore core = started.add(new GatewayCore(base.dataPlane(), base.modelConfig(), gatings,
                gatewaySettings(settings, base), ClientPolicy.from(full), settings.bindHost(),
                (layer, expert) -> locator.tell(new ExpertLocator.Relocate(layer, expert)),
                base.metrics(), dropUnavailable(full)));
            final RecordingRole recording = started.add(RecordingRole.start(full, base, core));
            final boolean shared = endpoint != null && settings.sharedThread();
            if (shared)
            {
                runShared(base.dataPlane(), core, endpoint);
            }
            else
            {
                core.start();
            }
            locator.tell(new ExpertLocator.Serve(core));
            return new GatewayRole(core, recording, locator, shared,
                full.getDuration("switchyard.gateway.drain-timeout"));
        }
        catch (final RuntimeException ex)
        {
            started.close();
            throw ex;
        }
    }

    /** A capacity family routes each request as its own group (its sequence), whatever the node was told. */
    private static GatewaySettings gatewaySettings(final NodeSettings settings, final NodeBase base)
    {
        final GatewaySettings gateway = settings.gateway();
        return base.model().groupPerRequest() && !gateway.groupPerRequest() ?
            gateway.withGrouping(gateway.maxWaitMicros(), true) : gateway;
    }

    /**
     * Gateway and expert endpoint on one thread. On two cores the compute of a block and the
     * gateway's work then never wait for each other to be scheduled, and one thread fewer wakes.
     */
    private static void runShared(final DataPlane dataPlane, final GatewayCore gateway, final ExpertEndpoint endpoint)
    {
        final AgentRunner runner = new AgentRunner(dataPlane.newIdleStrategy(),
            new AgentErrors("data plane", gateway.metrics().agentErrors), null, new CompositeAgent(gateway, endpoint));
        gateway.runOn(runner, endpoint::doWork);
        endpoint.runOn(runner, gateway::pollReplies);
        AgentRunner.startOnThread(runner);
    }

    /** {@code switchyard.gateway.on-unavailable}: drop (degraded answers at once) or wait. */
    private static boolean dropUnavailable(final Config full)
    {
        final String choice = full.getString("switchyard.gateway.on-unavailable");
        return switch (choice)
        {
            case "drop" -> true;
            case "wait" -> false;
            default -> throw new BadInputException(
                "switchyard.gateway.on-unavailable must be wait or drop (got '" + choice + "')");
        };
    }

    GatewayCore core()
    {
        return core;
    }

    /** The recorder of this gateway's traffic, or null when it records nothing. */
    RecordingRole recording()
    {
        return recording;
    }

    /** Where placement asks which node each copy is routed to. */
    ActorRef<ExpertLocator.RoutesOf> routes()
    {
        return locator.narrow();
    }

    /**
     * Stops taking requests and waits until those admitted are answered, at most
     * {@code switchyard.gateway.drain-timeout}, then answers SHUTTING_DOWN for a moment more: a
     * stopping gateway fails nothing it took, and clients with another gateway go there.
     *
     * @return requests still unanswered when the wait ended (0 when all were)
     */
    int drain()
    {
        if (!core.running())
        {
            return 0;
        }
        core.drain();
        final long deadline = System.nanoTime() + drainTimeout.toNanos();
        // -1 until the core's thread has begun the drain.
        int unanswered;
        while ((unanswered = core.unansweredWhileDraining()) != 0 && System.nanoTime() - deadline < 0 &&
            core.running())
        {
            Pause.quietly(10);
        }
        lingerWhileRequestsCome();
        return Math.max(unanswered, 0);
    }

    private void lingerWhileRequestsCome()
    {
        final long start = System.nanoTime();
        for (long now = start; now - start < DRAIN_LINGER_NS && now - core.lastRequestNanos() < DRAIN_QUIET_NS &&
            core.running(); now = System.nanoTime())
        {
            Pause.quietly(10);
        }
    }

    /**
     * After the cluster is left: the core (after the endpoint's linger when they share a thread,
     * which the core's close then stops), then the recording, which so records the last answers.
     */
    @Override
    public void close()
    {
        if (shared)
        {
            // One thread serves both: the endpoint's linger comes first, then both stop together.
            Pause.quietly(ExpertRole.ENDPOINT_LINGER_MS);
        }
        CloseHelper.quietClose(core);
        recording.close();
    }
}
