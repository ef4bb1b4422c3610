package dev.switchyard.gateway.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import dev.switchyard.experts.actor.ExpertId;
import dev.switchyard.gateway.cluster.ReplicaAllocation;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Places expert copies by the work gateways measured (see {@link PlacementPlanner}); without any
 * measurement yet (or with placement off) it places them by count, as {@link ReplicaAllocation}.
 * Sharding calls it on the node that runs the shard coordinator, which is why every expert node
 * keeps a {@link PlacementBoard}.
 * <p>
 * Each rebalance round it decides hot-expert copies and moves, at most max-concurrent-moves copies
 * moving or starting at once, and publishes the decision (extra copies, copies moving) for every
 * node: gateways then locate a new copy (which starts it: it maps and warms its weights before it
 * answers, so the gateway routes rows to it only once it is ready), and stop routing to a removed
 * one, which is told to retire (drain, then stop) a round later. A moved copy's destination is the
 * one the plan chose; sharding hands the copy off (it drains) and starts it there.
 */
public final class WorkAllocation extends ShardCoordinator.AbstractShardAllocationStrategy
{
    /** A copy decided but never placed (no gateway asked for it) stops counting as starting after this. */
    private static final long STARTING_FOR_MS = 30_000;

    private final ReplicaAllocation byCount;
    private final PlacementBoard board;
    private final PlacementSettings settings;
    private final PlacementPlanner planner;
    private final Consumer<PlacementMessage.State> publish;
    private final Consumer<ExpertId> retire;
    private final Map<String, String> planned = new HashMap<>();  // shard -> node it moves to
    private final Map<ExpertId, Long> starting = new HashMap<>();  // added copy -> when decided
    private final List<ExpertId> retiring = new ArrayList<>();
    private Map<String, Integer> extra;
    private Map<String, Long> coolSince = new HashMap<>();
    private long version;

    /**
     * @param publish tells every node the decision
     * @param retire  tells a removed copy to drain and stop
     */
    public WorkAllocation(
        final ReplicaAllocation byCount, final PlacementBoard board, final PlacementSettings settings,
        final Consumer<PlacementMessage.State> publish, final Consumer<ExpertId> retire)
    {
        this.byCount = byCount;
        this.board = board;
        this.settings = settings;
        this.planner = new PlacementPlanner(settings);
        this.publish = publish;
        this.retire = retire;
    }

    @Override
    public Future<ActorRef> allocateShard(
        final ActorRef requester, final String shardId, final Map<ActorRef, IndexedSeq<String>> current)
    {
        final LoadView view = settings.enabled() ? board.view(System.currentTimeMillis()) : null;
        final String target = planned.remove(shardId);
        final ExpertId id = idOf(shardId);
        if (id == null || (view == null && target == null))
        {
            return byCount.allocateShard(requester, shardId, current);
        }
        final Map<ActorRef, List<String>> live = byCount.liveRegions(current);
        ActorRef best = null;
        double bestWork = Double.MAX_VALUE;
        final Map<String, Double> work = view == null ? Map.of() :
            PlacementPlanner.nodeWork(extra == null ? nodes(live) : withoutRemoved(nodes(live)), view);
        for (final Map.Entry<ActorRef, List<String>> region : live.entrySet())
        {
            if (holdsCopyOf(region.getValue(), id))
            {
                continue;
            }
            final String node = byCount.addressOf(region.getKey()).toString();
            if (node.equals(target))
            {
                return Future.successful(region.getKey());
            }
            // Work first; among equals (no work measured there yet), fewer copies.
            final double w = work.getOrDefault(node, 0.0) + region.getValue().size() * 1e-9;
            if (w < bestWork)
            {
                bestWork = w;
                best = region.getKey();
            }
        }
        return best == null ? byCount.allocateShard(requester, shardId, current) : Future.successful(best);
    }

    @Override
    public Future<Set<String>> rebalance(final Map<ActorRef, IndexedSeq<String>> current, final Set<String> inProgress)
    {
        if (!settings.enabled())
        {
            return byCount.rebalance(current, inProgress);
        }
        final long now = System.currentTimeMillis();
        if (extra == null)
        {
            // A new coordinator carries on from the last decision any node heard.
            extra = new TreeMap<>(board.state().extraCopies());
            version = board.state().version();
        }
        retiring.forEach(retire);
        retiring.clear();
        final Map<ActorRef, List<String>> live = byCount.liveRegions(current);
        final Map<String, List<ExpertId>> nodes = nodes(live);
        forgetStarted(nodes, now);
        final LoadView view = board.view(now);
        final Set<String> moves = new LinkedHashSet<>();
        if (view == null)
        {
            moves.addAll(value(byCount.rebalance(current, inProgress)));
        }
        else if (inProgress.isEmpty())
        {
            moves.addAll(byCount.separations(current));
        }
        if (view != null && moves.isEmpty())
        {
            int budget = settings.maxMoves() - inProgress.size() - starting.size();
            final PlacementPlanner.CopyPlan copies = planner.copies(view, board.floor(), extra, coolSince, now,
                nodes.size(), Math.max(0, budget));
            extra = copies.extra();
            coolSince = copies.coolSinceMs();
            retiring.addAll(copies.removed());
            copies.added().forEach(c -> starting.put(c, now));
            budget -= copies.added().size();
            final Set<ExpertId> busy = new HashSet<>(starting.keySet());
            inProgress.forEach(s -> addId(busy, s));
            for (final Move move : planner.moves(withoutRemoved(nodes), view, busy, Math.max(0, budget)))
            {
                planned.put(move.copy().entityId(), move.to());
                moves.add(move.copy().entityId());
            }
        }
        final List<String> moving = new ArrayList<>(inProgress);
        moves.stream().filter(s -> !inProgress.contains(s)).forEach(moving::add);
        starting.keySet().forEach(c -> moving.add(c.entityId()));
        final PlacementMessage.State state = board.state();
        if (!extra.equals(state.extraCopies()) || !moving.equals(state.moving()) || version > state.version())
        {
            version = Math.max(version, state.version()) + 1;
        }
        publish.accept(new PlacementMessage.State(version, Map.copyOf(extra), List.copyOf(moving)));
        return Future.successful(moves);
    }

    /** Copies decided earlier are starting until a node hosts them (or they are long overdue). */
    private void forgetStarted(final Map<String, List<ExpertId>> nodes, final long now)
    {
        final Set<ExpertId> placed = new HashSet<>();
        nodes.values().forEach(placed::addAll);
        starting.entrySet().removeIf(s -> placed.contains(s.getKey()) || now - s.getValue() > STARTING_FOR_MS);
    }

    /** The copies placement counts: those beyond an expert's copies (removed, or retiring) hold no work. */
    private Map<String, List<ExpertId>> withoutRemoved(final Map<String, List<ExpertId>> nodes)
    {
        final Map<String, List<ExpertId>> out = new TreeMap<>();
        nodes.forEach((node, copies) -> out.put(node, new ArrayList<>(copies.stream()
            .filter(c -> c.replica() < board.floor().of(c.layer(), c.expert()) +
                extra.getOrDefault(c.expertKey(), 0))
            .toList())));
        return out;
    }

    private Map<String, List<ExpertId>> nodes(final Map<ActorRef, List<String>> live)
    {
        final Map<String, List<ExpertId>> nodes = new TreeMap<>();
        live.forEach((ref, shards) ->
        {
            final List<ExpertId> ids = new ArrayList<>();
            shards.forEach(s -> addId(ids, s));
            nodes.put(byCount.addressOf(ref).toString(), ids);
        });
        return nodes;
    }

    private static void addId(final java.util.Collection<ExpertId> ids, final String shardId)
    {
        final ExpertId id = idOf(shardId);
        if (id != null)
        {
            ids.add(id);
        }
    }

    private static ExpertId idOf(final String shardId)
    {
        try
        {
            return ExpertId.parse(shardId);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    private static boolean holdsCopyOf(final List<String> shards, final ExpertId id)
    {
        for (final String s : shards)
        {
            final ExpertId other = idOf(s);
            if (other != null && other.expertKey().equals(id.expertKey()))
            {
                return true;
            }
        }
        return false;
    }

    private static <T> T value(final Future<T> done)
    {
        // The count-based strategy answers at once.
        return done.value().get().get();
    }
}
