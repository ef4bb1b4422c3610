package dev.switchyard.node.system;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.switchyard.experts.endpoint.ExpertEndpoint;
import dev.switchyard.node.cluster.ClusterStatus;
import dev.switchyard.node.cluster.ExpertKeeper;
import dev.switchyard.node.placement.ExpertLoad;
import dev.switchyard.node.placement.LoadExchange;
import dev.switchyard.node.placement.PlacementBoard;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Placement's actors on this node: the keeper that keeps every copy placement names alive, the
 * cluster status that reports it, and the exchange that publishes what this node measured (a
 * gateway the work of every expert, an experts node what a row of each costs it).
 * <p>
 * It is the last of the node's cluster parts to start, so the first to stop: closing it is the
 * node's leave. Placement moves this node's copies away, sharding hands its experts off (each
 * drains first), and the actor system terminates, all while the data plane beneath still serves.
 */
final class PlacementRole implements AutoCloseable
{
    /** The longest a leave may take before the node's data plane stops regardless. */
    private static final long LEAVE_SECONDS = 60;
    /** How long the system may still take to terminate once its shutdown phases have ended. */
    private static final long TERMINATED_SECONDS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(PlacementRole.class);

    private final ActorSystem<Void> system;

    private PlacementRole(final ActorSystem<Void> system)
    {
        this.system = system;
    }

    /**
     * @param endpoint this node's expert endpoint, or null on a node without the experts role
     * @param gateway  this node's gateway role, or null on a node without it
     */
    static PlacementRole start(
        final NodeSettings settings, final NodeBase base, final ClusterRole cluster, final ExpertEndpoint endpoint,
        final GatewayRole gateway)
    {
        final ActorSystem<Void> system = cluster.system();
        final PlacementBoard board = cluster.board();
        final int layers = base.layers();
        final int experts = base.experts();
        system.systemActorOf(ExpertKeeper.create(layers, experts, board, settings.keepAliveEvery()),
            "expert-keeper", Props.empty());
        final ExpertLoad load = gateway == null ? null : new ExpertLoad(base.metrics());
        final double[] flopsPerRow = base.model().flopsPerRow();
        system.systemActorOf(ClusterStatus.create(layers, experts, board, load,
                i -> LoadExchange.cost(board, i / experts, i % experts, experts, flopsPerRow),
                () -> board.state().moving(),
                gateway == null ? List::of : base.metrics().silentEndpoints::describe),
            ClusterStatus.NAME, Props.empty());
        system.systemActorOf(LoadExchange.create(board, cluster.topic(), cluster.placement(), cluster.self(),
                layers, experts, load, gateway == null ? null : gateway.routes(), flopsPerRow, endpoint),
            "placement-exchange", Props.empty());
        return new PlacementRole(system);
    }

    /** Leaves the cluster: see {@link #leave}. */
    @Override
    public void close()
    {
        leave(system, LEAVE_SECONDS);
    }

    /**
     * Runs the actor system's shutdown phases and waits for them, at most {@code seconds}. Each phase
     * has its own timeout, so they end even when the system's last step does not: an Artery stream
     * that stalls (a TLS connection torn down mid-handshake; bounded only in Pekko releases after
     * 1.7.0, pekko#3247) can keep the system from ever terminating. The caller then goes on to stop
     * what lies beneath, with its thread's interrupt status as it was.
     */
    static void leave(final ActorSystem<?> system, final long seconds)
    {
        final CompletableFuture<Done> phases = CoordinatedShutdown.get(system)
            .runAll(CoordinatedShutdown.actorSystemTerminateReason()).toCompletableFuture();
        try
        {
            phases.get(seconds, TimeUnit.SECONDS);
            system.getWhenTerminated().toCompletableFuture().get(TERMINATED_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            LOG.warn("the actor system {} did not terminate within its shutdown phases ({}); stopping regardless",
                system.name(), ex.toString());
        }
    }
}
