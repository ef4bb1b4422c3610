package dev.switchyard.node.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.switchyard.experts.actor.ExpertActor;
import dev.switchyard.experts.actor.ExpertHost;
import dev.switchyard.experts.actor.ExpertId;
import dev.switchyard.experts.endpoint.EndpointAddress;
import dev.switchyard.gateway.dispatch.GatewayCore;
import dev.switchyard.node.placement.ExpertCopies;
import dev.switchyard.node.placement.Replicas;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The gateway's control plane: learns from sharding where every expert lives (by asking each
 * entity, which sharding delivers wherever it is) and tells the data plane. It asks all experts
 * periodically, so a moved expert is relearned even without traffic, and at once for one expert
 * when the data plane finds it gone (DRAINING, unavailable, disconnected).
 * <p>
 * It also watches reachability: when a node that hosts experts becomes unreachable (a crash, a
 * vanished host), the data plane is told at once, so the blocks in flight there are sent again
 * as soon as sharding re-homes their experts, and those experts are asked for every
 * {@link #LOST_RETRY} until they are. The log says when all of them are served again.
 * <p>
 * It alone knows where the gateway routes each copy; placement asks it ({@link RoutesOf}).
 */
public final class ExpertLocator
{
    private static final Duration LOST_RETRY = Duration.ofMillis(250);
    private static final String LOST_TIMER = "relocate-lost";

    public sealed interface Command
        permits Serve, Relocate, RelocateAll, RelocateLost, Found, NotFound, Reachability, RoutesOf
    {
    }

    /** The data plane this locator feeds is running: locating starts (before it, nothing is asked). */
    public record Serve(GatewayCore core) implements Command
    {
    }

    /** The data plane lost an expert. */
    public record Relocate(int layer, int expert) implements Command
    {
    }

    record RelocateAll() implements Command
    {
    }

    record RelocateLost() implements Command
    {
    }

    record Found(ExpertActor.Located located) implements Command
    {
    }

    record NotFound(int layer, int expert, String why) implements Command
    {
    }

    record Reachability(ClusterEvent.ReachabilityEvent event) implements Command
    {
    }

    /** Where the gateway routes each of these copies (entity ids), answered with {@link Routes}. */
    public record RoutesOf(List<String> entityIds, ActorRef<Routes> replyTo) implements Command
    {
    }

    /** The node (cluster address) each asked copy is routed to; a copy not located is left out. */
    public record Routes(Map<String, String> nodes)
    {
    }

    /** The experts a vanished node took with it, and since when they are missed. */
    private record Loss(String node, long sinceNs, Set<ExpertId> missing, int count)
    {
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ClusterSharding sharding;
    private final GatewayCore core;
    private final int layers;
    private final int experts;
    private final ExpertCopies replicas;
    private final int[] located;  // [layers * E] copies whose routes the data plane was given
    private final Duration askTimeout;
    private final Map<ExpertId, ExpertActor.Located> where = new HashMap<>();
    private final Map<String, Loss> losses = new HashMap<>();

    private ExpertLocator(
        final ActorContext<Command> context, final TimerScheduler<Command> timers, final GatewayCore core,
        final int layers, final int experts, final ExpertCopies replicas, final Duration askTimeout)
    {
        this.replicas = replicas;
        this.located = new int[layers * experts];
        this.context = context;
        this.timers = timers;
        this.sharding = ClusterSharding.get(context.getSystem());
        this.core = core;
        this.layers = layers;
        this.experts = experts;
        this.askTimeout = askTimeout;
    }

    public static Behavior<Command> create(
        final GatewayCore core, final int layers, final int experts, final Duration refresh, final Duration askTimeout)
    {
        return serving(core, layers, experts, Replicas.ONE, refresh, askTimeout);
    }

    /**
     * A locator that waits for its data plane: the gateway's core is built with this actor's
     * reference (to ask for relocations), so the actor comes first and is told {@link Serve} once
     * the core runs. A relocation asked before then is dropped: locating starts by asking for all.
     * Then it locates every copy {@code replicas} names of every expert; when placement removes an
     * extra copy, the data plane stops routing to it at the next refresh.
     */
    public static Behavior<Command> create(
        final int layers, final int experts, final ExpertCopies replicas, final Duration refresh,
        final Duration askTimeout)
    {
        return Behaviors.receive(Command.class)
            .onMessage(Serve.class, m -> serving(m.core(), layers, experts, replicas, refresh, askTimeout))
            .onMessage(RoutesOf.class, m ->
            {
                m.replyTo().tell(new Routes(new HashMap<>()));
                return Behaviors.same();
            })
            .onAnyMessage(m -> Behaviors.same())
            .build();
    }

    private static Behavior<Command> serving(
        final GatewayCore core, final int layers, final int experts, final ExpertCopies replicas,
        final Duration refresh, final Duration askTimeout)
    {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        {
            timers.startTimerWithFixedDelay(new RelocateAll(), refresh);
            ctx.getSelf().tell(new RelocateAll());
            final ActorRef<ClusterEvent.ReachabilityEvent> reachability =
                ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new);
            Cluster.get(ctx.getSystem()).subscriptions().tell(
                Subscribe.create(reachability, ClusterEvent.ReachabilityEvent.class));
            return new ExpertLocator(ctx, timers, core, layers, experts, replicas, askTimeout).behavior();
        }));
    }

    private Behavior<Command> behavior()
    {
        return Behaviors.receive(Command.class)
            .onMessage(RelocateAll.class, m ->
            {
                retireRemoved();
                for (int l = 0; l < layers; l++)
                {
                    for (int e = 0; e < experts; e++)
                    {
                        ask(l, e);
                    }
                }
                return Behaviors.same();
            })
            .onMessage(RelocateLost.class, m ->
            {
                losses.values().forEach(loss -> loss.missing().forEach(this::ask));
                return Behaviors.same();
            })
            .onMessage(Relocate.class, m ->
            {
                ask(m.layer(), m.expert());
                return Behaviors.same();
            })
            .onMessage(Found.class, m ->
            {
                found(m.located());
                return Behaviors.same();
            })
            .onMessage(NotFound.class, m ->
            {
                context.getLog().debug("expert {}/{} not located yet: {}", m.layer(), m.expert(), m.why());
                return Behaviors.same();
            })
            .onMessage(Reachability.class, m ->
            {
                if (m.event() instanceof ClusterEvent.UnreachableMember u)
                {
                    unreachable(u.member().address().toString());
                }
                return Behaviors.same();
            })
            .onMessage(RoutesOf.class, m ->
            {
                m.replyTo().tell(routesOf(m.entityIds()));
                return Behaviors.same();
            })
            .build();
    }

    private Routes routesOf(final List<String> entityIds)
    {
        final Map<String, String> nodes = new HashMap<>();
        for (final Map.Entry<ExpertId, ExpertActor.Located> entry : where.entrySet())
        {
            final String entityId = entry.getKey().entityId();
            if (entityIds.contains(entityId))
            {
                nodes.put(entityId, entry.getValue().node());
            }
        }
        return new Routes(nodes);
    }

    /** Copies placement removed since the last refresh are no longer routed to (they retire and drain). */
    private void retireRemoved()
    {
        for (int l = 0; l < layers; l++)
        {
            for (int e = 0; e < experts; e++)
            {
                final int copies = replicas.of(l, e);
                for (int r = copies; r < located[l * experts + e]; r++)
                {
                    final ExpertId id = new ExpertId(l, e, r);
                    where.remove(id);
                    core.retireRoute(l, e, r);
                    // A copy lost with its node and removed since is not waited for.
                    served(id);
                    ExpertHost.MEMBERSHIP.info("expert copy {} removed by placement: no longer routed to",
                        id.entityId());
                }
                located[l * experts + e] = Math.min(located[l * experts + e], copies);
            }
        }
    }

    private void found(final ExpertActor.Located at)
    {
        final ExpertId id = new ExpertId(at.layer(), at.expert(), at.replica());
        if (at.layer() >= layers || at.expert() >= experts || at.replica() >= replicas.of(at.layer(), at.expert()))
        {
            // An answer from a copy placement has removed since it was asked.
            return;
        }
        located[at.layer() * experts + at.expert()] =
            Math.max(located[at.layer() * experts + at.expert()], at.replica() + 1);
        // Served again, elsewhere or (a node that was slow, not dead) where it was.
        final ExpertActor.Located before = where.put(id, at);
        if (before == null || !before.node().equals(at.node()))
        {
            ExpertHost.MEMBERSHIP.info("expert {} served by {}", id.entityId(), at.node());
        }
        core.updateRoute(at.layer(), at.expert(), at.replica(), at.address(), at.epoch());
        served(id);
    }

    /** A copy a lost node took with it is served again (or no longer needed). */
    private void served(final ExpertId id)
    {
        final Loss loss = lossOf(id);
        if (loss != null)
        {
            loss.missing().remove(id);
            if (loss.missing().isEmpty())
            {
                losses.remove(loss.node());
                ExpertHost.MEMBERSHIP.info("all {} experts of {} served again, {} ms after it became unreachable",
                    loss.count(), loss.node(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loss.sinceNs()));
                if (losses.isEmpty())
                {
                    timers.cancel(LOST_TIMER);
                }
            }
        }
    }

    private Loss lossOf(final ExpertId id)
    {
        for (final Loss loss : losses.values())
        {
            if (loss.missing().contains(id))
            {
                return loss;
            }
        }
        return null;
    }

    private void unreachable(final String node)
    {
        if (losses.containsKey(node))
        {
            return;
        }
        final Set<ExpertId> lost = new HashSet<>();
        EndpointAddress endpoint = null;
        for (final Map.Entry<ExpertId, ExpertActor.Located> entry : where.entrySet())
        {
            if (entry.getValue().node().equals(node))
            {
                lost.add(entry.getKey());
                endpoint = entry.getValue().address();
            }
        }
        if (lost.isEmpty())
        {
            ExpertHost.MEMBERSHIP.info("{} is unreachable; it hosted no expert this gateway uses (experts are on {})",
                node, where.values().stream().map(ExpertActor.Located::node).distinct().toList());
            return;
        }
        lost.forEach(where::remove);
        core.endpointLost(endpoint);
        // The bridge of a move is not waited for: its expert's other copy serves.
        final Set<ExpertId> missing = new HashSet<>(lost);
        missing.removeIf(replicas::passing);
        if (missing.isEmpty())
        {
            ExpertHost.MEMBERSHIP.info("{} is unreachable: it hosted only the bridges of moves ({}), whose experts " +
                "are served elsewhere", node, lost.stream().map(ExpertId::entityId).sorted().toList());
            ExpertHost.MEMBERSHIP.info("all 0 experts of {} served again, 0 ms after it became unreachable", node);
            return;
        }
        ExpertHost.MEMBERSHIP.info("{} is unreachable: its {} expert copies wait to be re-hosted; their blocks " +
            "in flight go to another live replica at once, or are sent again once re-hosted", node, missing.size());
        losses.put(node, new Loss(node, System.nanoTime(), missing, missing.size()));
        timers.startTimerWithFixedDelay(LOST_TIMER, new RelocateLost(), LOST_RETRY);
    }

    /** Asks every replica of the expert where it serves. */
    private void ask(final int layer, final int expert)
    {
        for (int r = 0; r < replicas.of(layer, expert); r++)
        {
            ask(new ExpertId(layer, expert, r));
        }
    }

    private void ask(final ExpertId id)
    {
        context.ask(
            ExpertActor.Located.class,
            sharding.entityRefFor(ExpertActor.TYPE_KEY, id.entityId()),
            askTimeout,
            ExpertActor.Locate::new,
            (located, failure) -> located != null ? new Found(located) :
                new NotFound(id.layer(), id.expert(), String.valueOf(failure)));
    }
}
