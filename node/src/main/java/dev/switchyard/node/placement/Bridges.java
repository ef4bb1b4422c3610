package dev.switchyard.node.placement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.switchyard.experts.actor.ExpertId;

/**
 * Moves of expert copies made before they break, so that an expert is never without a copy that
 * serves. A move of copy C from node A to node B opens a bridge: one more copy of C's expert,
 * placed on B, which maps and warms its weights before it answers; gateways route a share of the
 * expert's rows to it like to any copy. Once every gateway routes to the bridge, C is handed off:
 * A drains it while the bridge serves, and C starts on B at once, sharing the bridge's loaded
 * weights (see LocalCopies). Once every gateway routes to C on B, the bridge closes: gateways stop
 * routing to it and it retires. The bridge is its expert's highest copy, so that closing it
 * renumbers no other.
 * <p>
 * A bridge closes early, leaving C where it is, when its node leaves, when it was placed elsewhere,
 * or when C moved some other way; if A is lost, C comes back on B. One bridge per expert at a
 * time; the experts bridging take no other placement change meanwhile.
 */
final class Bridges
{
    /** A bridge gives up after this: its copy never started, or its hand-off never completed. */
    static final long OPEN_FOR_MS = 120_000;

    private static final class Open
    {
        final PlacementMessage.Bridge bridge;
        final long sinceMs;
        boolean handedOff;

        Open(final PlacementMessage.Bridge bridge, final long sinceMs)
        {
            this.bridge = bridge;
            this.sinceMs = sinceMs;
        }
    }

    /**
     * What a round of bridges asks of sharding.
     *
     * @param targets copies (entity ids) to place on the given node when next allocated
     * @param moves   copies to hand off now
     * @param closed  bridge copies to retire
     */
    record Step(Map<String, String> targets, Set<String> moves, List<ExpertId> closed)
    {
    }

    /** Whether every gateway routes copy {@code entityId} to node {@code node}. */
    @FunctionalInterface
    interface Routed
    {
        boolean byAll(String entityId, String node);
    }

    private final Map<String, Open> open = new TreeMap<>();  // expert key -> its bridge

    /** Opens the bridge of {@code move}, the expert's copy {@code bridge} (its next one). */
    void open(final Move move, final ExpertId bridge, final long nowMs)
    {
        open.put(bridge.expertKey(), new Open(
            new PlacementMessage.Bridge(move.copy().entityId(), bridge.entityId(), move.from(), move.to()), nowMs));
    }

    /** Whether the expert ("layer-expert") has a bridge open. */
    boolean bridging(final String expertKey)
    {
        return open.containsKey(expertKey);
    }

    /** The experts ("layer-expert") with a bridge open. */
    Set<String> experts()
    {
        return Set.copyOf(open.keySet());
    }

    int size()
    {
        return open.size();
    }

    /** The open bridges, as every node is told. */
    List<PlacementMessage.Bridge> published()
    {
        return open.values().stream().map(o -> o.bridge).toList();
    }

    /** The copies (entity ids) that open bridges are about: the moving ones and the bridges. */
    Set<String> shards()
    {
        final Set<String> out = new HashSet<>();
        open.values().forEach(o ->
        {
            out.add(o.bridge.copy());
            out.add(o.bridge.bridge());
        });
        return out;
    }

    /**
     * Advances every bridge by where copies are now.
     *
     * @param nodes      live node -> the copies it hosts
     * @param inProgress the copies sharding is handing off now
     */
    Step step(final Map<String, List<ExpertId>> nodes, final Set<String> inProgress, final Routed routed,
        final long nowMs)
    {
        final Map<String, String> targets = new LinkedHashMap<>();
        final Set<String> moves = new LinkedHashSet<>();
        final List<ExpertId> closed = new ArrayList<>();
        for (final var it = open.values().iterator(); it.hasNext(); )
        {
            final Open o = it.next();
            final PlacementMessage.Bridge b = o.bridge;
            final ExpertId copy = ExpertId.parse(b.copy());
            final ExpertId bridge = ExpertId.parse(b.bridge());
            final boolean done;
            if (!nodes.containsKey(b.to()) || nowMs - o.sinceMs > OPEN_FOR_MS)
            {
                done = true;
            }
            else if (!o.handedOff)
            {
                done = hostedBesides(nodes, bridge, b.to()) || nodes.containsKey(b.from()) &&
                    !hosts(nodes, b.from(), copy);
                if (!done && !nodes.containsKey(b.from()))
                {
                    // The copy's node is lost: sharding re-homes it next to the bridge, where it starts at once.
                    targets.put(b.copy(), b.to());
                    o.handedOff = true;
                }
                else if (!done && hosts(nodes, b.to(), bridge) && routed.byAll(b.bridge(), b.to()))
                {
                    targets.put(b.copy(), b.to());
                    moves.add(b.copy());
                    o.handedOff = true;
                }
            }
            else if (hosts(nodes, b.to(), copy))
            {
                done = routed.byAll(b.copy(), b.to());
            }
            else
            {
                // Placed elsewhere after all (its hand-off failed, or its node came back).
                done = !inProgress.contains(b.copy()) && hostedBesides(nodes, copy, b.to());
            }
            if (done)
            {
                closed.add(bridge);
                it.remove();
            }
        }
        return new Step(targets, moves, closed);
    }

    private static boolean hosts(final Map<String, List<ExpertId>> nodes, final String node, final ExpertId copy)
    {
        final List<ExpertId> copies = nodes.get(node);
        return copies != null && copies.contains(copy);
    }

    private static boolean hostedBesides(final Map<String, List<ExpertId>> nodes, final ExpertId copy,
        final String node)
    {
        for (final Map.Entry<String, List<ExpertId>> n : nodes.entrySet())
        {
            if (!n.getKey().equals(node) && n.getValue().contains(copy))
            {
                return true;
            }
        }
        return false;
    }
}
