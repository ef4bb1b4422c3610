package dev.switchyard.node.placement;

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
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Places expert copies by the work gateways measured (see {@link PlacementPlanner}); without any
 * measurement yet (or with placement off) it places them by count, as {@link ReplicaAllocation}.
 * Sharding calls it on the node that runs the shard coordinator, which is why every expert node
 * keeps a {@link PlacementBoard}.
 * <p>
 * Each rebalance round it decides hot-expert copies and moves, at most max-concurrent-moves copies
 * moving or starting at once, and publishes the decision (extra copies, copies moving, bridges)
 * for every node: gateways then locate a new copy (which starts it: it maps and warms its weights
 * before it answers, so the gateway routes rows to it only once it is ready), and stop routing to a
 * removed one, which is told to retire (drain, then stop) a round later. A copy moves over a
 * bridge ({@link Bridges}), so that its expert is served throughout; only an expert that already
 * has the most copies there are moves the plain way, handed off by sharding to its destination.
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
    private final List<ExpertId> retiring = new ArrayList<>();  // removed: to retire next round
    private final Bridges bridges = new Bridges();
    private final Map<String, Long> movedAt = new HashMap<>();  // expert key -> when a copy of it last moved
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
        final long now = System.currentTimeMillis();
        final LoadView view = settings.enabled() ? board.view(now) : null;
        final String target = planned.remove(shardId);
        final ExpertId id = idOf(shardId);
        final Set<String> leaving = board.leaving(now);
        if (id == null || (view == null && target == null))
        {
            return byCount.allocateShard(requester, shardId, withoutLeaving(current, leaving));
        }
        final Map<ActorRef, List<String>> live = byCount.liveRegions(current);
        ActorRef best = null;
        double bestWork = Double.MAX_VALUE;
        final Map<String, Double> work = view == null ? Map.of() :
            PlacementPlanner.nodeWork(extra == null ? nodes(live) : withoutRemoved(nodes(live)), view);
        for (final Map.Entry<ActorRef, List<String>> region : live.entrySet())
        {
            final String node = byCount.addressOf(region.getKey()).toString();
            if (node.equals(target))
            {
                // A moving copy joins its bridge there, the only time two copies share a node on purpose.
                return Future.successful(region.getKey());
            }
            if (holdsCopyOf(region.getValue(), id) || leaving.contains(node))
            {
                continue;
            }
            // Work first; among equals (no work measured there yet), fewer copies.
            final double w = work.getOrDefault(node, 0.0) + region.getValue().size() * 1e-9;
            if (w < bestWork)
            {
                bestWork = w;
                best = region.getKey();
            }
        }
        return best == null ? byCount.allocateShard(requester, shardId, withoutLeaving(current, leaving)) :
            Future.successful(best);
    }

    /**
     * The regions that placement by count may use: a leaving node's copies are handed over by
     * {@link #handOver}, and counting it would send copies back to it, since it holds the fewest.
     * All of them where every node is leaving.
     */
    private Map<ActorRef, IndexedSeq<String>> withoutLeaving(
        final Map<ActorRef, IndexedSeq<String>> current, final Set<String> leaving)
    {
        if (leaving.isEmpty())
        {
            return current;
        }
        final Map<ActorRef, IndexedSeq<String>> staying = new HashMap<>(current);
        staying.keySet().removeIf(region -> leaving.contains(byCount.addressOf(region).toString()));
        return staying.isEmpty() ? current : staying;
    }

    @Override
    public Future<Set<String>> rebalance(final Map<ActorRef, IndexedSeq<String>> current, final Set<String> inProgress)
    {
        final long now = System.currentTimeMillis();
        final Set<String> saidLeaving = board.leaving(now);
        final Map<ActorRef, IndexedSeq<String>> countable = withoutLeaving(current, saidLeaving);
        if (!settings.enabled())
        {
            return byCount.rebalance(countable, inProgress);
        }
        if (extra == null)
        {
            // A new coordinator carries on from the last decision any node heard; the bridges it
            // left are closed, their copies staying where they are.
            extra = new TreeMap<>(board.state().extraCopies());
            version = board.state().version();
            board.state().bridges().forEach(b -> retiring.add(ExpertId.parse(b.bridge())));
        }
        final Set<String> fixed = new HashSet<>();
        retiring.forEach(c -> fixed.add(c.expertKey()));
        retiring.forEach(retire);
        retiring.clear();
        final Map<String, String> allocated = allocated(current);
        final Map<String, List<ExpertId>> nodes = nodes(byCount.liveRegions(current));
        forgetStarted(nodes, now);
        final Bridges.Step step = bridges.step(nodes, inProgress, (id, node) -> board.routedByAll(id, node, now), now);
        planned.putAll(step.targets());
        retiring.addAll(step.closed());
        step.closed().forEach(c -> movedAt.put(c.expertKey(), now));
        final Set<String> moves = new LinkedHashSet<>(step.moves());
        fixed.addAll(bridges.experts());
        retiring.forEach(c -> fixed.add(c.expertKey()));
        final LoadView view = board.view(now);
        if (view == null)
        {
            moves.addAll(value(byCount.rebalance(countable, inProgress)));
        }
        else if (inProgress.isEmpty())
        {
            final Set<String> ignore = bridges.shards();
            allocated.keySet().stream().filter(s -> !counted(idOf(s))).forEach(ignore::add);
            moves.addAll(byCount.separations(countable, ignore));
        }
        final Set<String> leaving = new HashSet<>(saidLeaving);
        leaving.retainAll(nodes.keySet());
        final Map<String, List<ExpertId>> staying = new TreeMap<>(nodes);
        staying.keySet().removeAll(leaving);
        if (!leaving.isEmpty())
        {
            handOver(leaving, nodes, staying, view, inProgress, allocated, now, moves);
        }
        else if (view != null && moves.size() == step.moves().size())
        {
            plan(view, staying, inProgress, fixed, allocated, now, moves);
        }
        publish(inProgress, moves);
        return Future.successful(moves);
    }

    /**
     * Decides hot-expert copies and moves within the move budget. The experts in {@code fixed}
     * (bridging, or a copy retiring) keep their copies as they are this round.
     */
    private void plan(
        final LoadView view, final Map<String, List<ExpertId>> nodes, final Set<String> inProgress,
        final Set<String> fixed, final Map<String, String> allocated, final long now, final Set<String> moves)
    {
        final int budget = settings.maxMoves() - inProgress.size() - starting.size() - bridges.size();
        final PlacementPlanner.CopyPlan copies = planner.copies(view, board.floor(), extra, coolSince, now,
            nodes.size(), Math.max(0, budget), fixed);
        extra = copies.extra();
        coolSince = copies.coolSinceMs();
        retiring.addAll(copies.removed());
        copies.added().forEach(c -> starting.put(c, now));
        if (!starting.isEmpty())
        {
            // Until an extra copy serves, its expert's work counts whole on the copies already placed:
            // moves planned on that would be undone once it serves.
            return;
        }
        // A copy that moved stays a window long: what its move changed is measured before it moves again.
        movedAt.values().removeIf(at -> now - at >= settings.window().toMillis());
        final Set<ExpertId> busy = new HashSet<>();
        inProgress.forEach(s -> addId(busy, s));
        nodes.values().forEach(held -> held.stream()
            .filter(c -> fixed.contains(c.expertKey()) || movedAt.containsKey(c.expertKey())).forEach(busy::add));
        for (final Move move : planner.moves(withoutRemoved(nodes), view, busy, Math.max(0, budget)))
        {
            start(move, allocated, now, moves);
        }
    }

    /** Moves every copy on a leaving node away at once (see LeaveHandOver); bridges and busy copies wait. */
    private void handOver(
        final Set<String> leaving, final Map<String, List<ExpertId>> nodes, final Map<String, List<ExpertId>> staying,
        final LoadView view, final Set<String> inProgress, final Map<String, String> allocated, final long now,
        final Set<String> moves)
    {
        final Map<String, List<ExpertId>> going = new TreeMap<>();
        for (final String node : leaving)
        {
            going.put(node, nodes.get(node).stream()
                .filter(c -> c.replica() < board.floor().of(c.layer(), c.expert()) +
                    extra.getOrDefault(c.expertKey(), 0))
                .filter(c -> !bridges.bridging(c.expertKey()) && !inProgress.contains(c.entityId()))
                .toList());
        }
        for (final Move move : PlacementPlanner.handOver(going, withoutRemoved(staying), view))
        {
            start(move, allocated, now, moves);
        }
    }

    /** Starts a move: over a bridge, unless its expert already has the most copies there are. */
    private void start(final Move move, final Map<String, String> allocated, final long now, final Set<String> moves)
    {
        final ExpertId copy = move.copy();
        final int count = board.floor().of(copy.layer(), copy.expert()) + extra.getOrDefault(copy.expertKey(), 0);
        if (count < ExpertId.MAX_REPLICAS)
        {
            final String bridge = new ExpertId(copy.layer(), copy.expert(), count).entityId();
            bridges.open(move, ExpertId.parse(bridge), now);
            planned.put(bridge, move.to());
            final String at = allocated.get(bridge);
            if (at != null && !at.equals(move.to()))
            {
                // An earlier copy of that number left its (empty) shard there: sharding re-homes it now.
                moves.add(bridge);
            }
        }
        else
        {
            planned.put(copy.entityId(), move.to());
            moves.add(copy.entityId());
            movedAt.put(copy.expertKey(), now);
        }
    }

    /** Tells every node the decision: extra copies, copies moving or starting, bridges open. */
    private void publish(final Set<String> inProgress, final Set<String> moves)
    {
        final Set<String> moving = new LinkedHashSet<>(inProgress);
        moving.addAll(moves);
        starting.keySet().forEach(c -> moving.add(c.entityId()));
        final List<PlacementMessage.Bridge> open = bridges.published();
        open.forEach(b -> moving.add(b.copy()));
        final PlacementMessage.State state = board.state();
        final List<String> movingList = List.copyOf(moving);
        if (!extra.equals(state.extraCopies()) || !movingList.equals(state.moving()) || !open.equals(state.bridges()) ||
            version > state.version())
        {
            version = Math.max(version, state.version()) + 1;
        }
        publish.accept(new PlacementMessage.State(version, Map.copyOf(extra), movingList, open));
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

    /** Node -> the copies it hosts (bridges included), of the regions given. */
    private Map<String, List<ExpertId>> nodes(final Map<ActorRef, List<String>> live)
    {
        final Map<String, List<ExpertId>> nodes = new TreeMap<>();
        live.forEach((ref, shards) ->
        {
            final List<ExpertId> ids = new ArrayList<>();
            shards.forEach(s ->
            {
                final ExpertId id = idOf(s);
                if (counted(id))
                {
                    ids.add(id);
                }
            });
            nodes.put(byCount.addressOf(ref).toString(), ids);
        });
        return nodes;
    }

    /**
     * Whether {@code id} is one of its expert's copies now (a bridge included). A removed copy's
     * shard stays allocated, empty, wherever it was (sharding re-homes a shard as soon as it is
     * handed off), so it is left out of every count.
     */
    private boolean counted(final ExpertId id)
    {
        if (id == null)
        {
            return false;
        }
        final Map<String, Integer> more = extra == null ? board.state().extraCopies() : extra;
        return id.replica() < board.floor().of(id.layer(), id.expert()) + more.getOrDefault(id.expertKey(), 0) +
            (bridges.bridging(id.expertKey()) ? 1 : 0);
    }

    /** Shard -> the node its region runs on, for every allocated shard. */
    private Map<String, String> allocated(final Map<ActorRef, IndexedSeq<String>> current)
    {
        final Map<String, String> out = new HashMap<>();
        current.forEach((ref, shards) ->
            CollectionConverters.asJava(shards).forEach(s -> out.put(s, byCount.addressOf(ref).toString())));
        return out;
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

    private boolean holdsCopyOf(final List<String> shards, final ExpertId id)
    {
        for (final String s : shards)
        {
            final ExpertId other = idOf(s);
            if (counted(other) && other.expertKey().equals(id.expertKey()))
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
