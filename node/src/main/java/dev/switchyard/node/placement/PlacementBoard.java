package dev.switchyard.node.placement;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

import dev.switchyard.experts.actor.ExpertId;

/**
 * What this node knows of placement, from the cluster-wide topic: the latest measurements of every
 * gateway, the cost per row each expert node reported and the latest decision (extra copies,
 * copies moving, bridges), and where each gateway routes the copies bridges name.
 * <p>
 * One writer, the node's {@link LoadExchange} actor, which replaces an immutable {@link Snapshot}
 * with each message it offers; the allocation strategy, the locator, the keeper and the status
 * report read the current snapshot on their own threads. Nothing mutable is shared and no reader
 * takes a lock (messages arrive a few times a second; a snapshot is a few small maps).
 * <p>
 * A gateway's last measurement with any work in it stays its view while the gateway keeps
 * reporting, so that an idle spell does not undo a placement made under load; a gateway silent
 * for {@code forgetAfterMs} is no longer counted, and is dropped at the next message.
 */
public final class PlacementBoard implements ExpertCopies
{
    private record Seen(PlacementMessage.Load busy, Map<String, String> routes, long lastMs)
    {
    }

    /** One immutable state of the board. */
    private record Snapshot(Map<String, Seen> gateways, Map<String, PlacementMessage.Costs> costs,
        Map<String, Long> leaving, PlacementMessage.State state)
    {
    }

    private final ExpertCopies floor;
    private final long forgetAfterMs;
    private volatile Snapshot snapshot =
        new Snapshot(Map.of(), Map.of(), Map.of(), PlacementMessage.State.INITIAL);

    public PlacementBoard(final ExpertCopies floor, final long forgetAfterMs)
    {
        this.floor = floor;
        this.forgetAfterMs = forgetAfterMs;
    }

    /** Takes one message from the topic; called by the board's one writer only. */
    public void offer(final PlacementMessage message, final long nowMs)
    {
        final Snapshot now = snapshot;
        final Map<String, Seen> gateways = fresh(now.gateways(), nowMs, Seen::lastMs);
        final Map<String, PlacementMessage.Costs> costs = new HashMap<>(now.costs());
        final Map<String, Long> leaving = fresh(now.leaving(), nowMs, at -> at);
        PlacementMessage.State state = now.state();
        switch (message)
        {
            case PlacementMessage.Load load ->
            {
                final Seen before = gateways.get(load.gateway());
                final boolean busy = sum(load.work()) > 0;
                gateways.put(load.gateway(),
                    new Seen(busy ? load : before == null ? null : before.busy(), load.routes(), nowMs));
            }
            case PlacementMessage.Costs c -> costs.put(c.node(), c);
            case PlacementMessage.Leaving l -> leaving.put(l.node(), nowMs);
            case PlacementMessage.State s ->
            {
                if (s.version() >= state.version())
                {
                    state = s;
                }
            }
        }
        snapshot = new Snapshot(Map.copyOf(gateways), Map.copyOf(costs), Map.copyOf(leaving), state);
    }

    /** The entries of {@code seen} heard from within the forget time, in a map to change. */
    private <V> Map<String, V> fresh(final Map<String, V> seen, final long nowMs, final ToLongFunction<V> lastMs)
    {
        final Map<String, V> kept = new HashMap<>();
        seen.forEach((key, value) ->
        {
            if (nowMs - lastMs.applyAsLong(value) <= forgetAfterMs)
            {
                kept.put(key, value);
            }
        });
        return kept;
    }

    /** The work of every expert summed over the gateways heard from, or null if none measured any. */
    public LoadView view(final long nowMs)
    {
        double[] work = null;
        int layers = 0;
        int experts = 0;
        for (final Seen seen : snapshot.gateways().values())
        {
            if (nowMs - seen.lastMs() > forgetAfterMs || seen.busy() == null)
            {
                continue;
            }
            final PlacementMessage.Load load = seen.busy();
            if (work == null)
            {
                layers = load.layers();
                experts = load.experts();
                work = new double[load.work().length];
            }
            if (load.work().length == work.length)
            {
                for (int i = 0; i < work.length; i++)
                {
                    work[i] += load.work()[i];
                }
            }
        }
        return work == null ? null : new LoadView(layers, experts, work);
    }

    /**
     * The compute time per row of expert {@code index} (layer * experts + expert), averaged over the
     * expert nodes that measured it, or -1 if none did.
     */
    public double nanosPerRow(final int index)
    {
        double sum = 0;
        int n = 0;
        for (final PlacementMessage.Costs c : snapshot.costs().values())
        {
            if (index < c.nanosPerRow().length && c.nanosPerRow()[index] > 0)
            {
                sum += c.nanosPerRow()[index];
                n++;
            }
        }
        return n == 0 ? -1 : sum / n;
    }

    /**
     * Whether every gateway heard from routes copy {@code entityId} to node {@code node}, as it
     * said last (for the copies that bridges name); false while no gateway is known.
     */
    public boolean routedByAll(final String entityId, final String node, final long nowMs)
    {
        boolean any = false;
        for (final Seen seen : snapshot.gateways().values())
        {
            if (nowMs - seen.lastMs() > forgetAfterMs)
            {
                continue;
            }
            if (seen.routes() == null || !node.equals(seen.routes().get(entityId)))
            {
                return false;
            }
            any = true;
        }
        return any;
    }

    /** The expert nodes that said they are leaving, within the forget time. */
    public Set<String> leaving(final long nowMs)
    {
        final Set<String> nodes = new HashSet<>();
        snapshot.leaving().forEach((node, at) ->
        {
            if (nowMs - at <= forgetAfterMs)
            {
                nodes.add(node);
            }
        });
        return Set.copyOf(nodes);
    }

    public PlacementMessage.State state()
    {
        return snapshot.state();
    }

    /** The configured copies of the expert plus the extra ones placement gave it, and its bridge. */
    @Override
    public int of(final int layer, final int expert)
    {
        return floor.of(layer, expert) + state().beyondFloor(layer + "-" + expert);
    }

    @Override
    public boolean passing(final ExpertId id)
    {
        final String entityId = id.entityId();
        return state().bridges().stream().anyMatch(b -> b.bridge().equals(entityId));
    }

    public ExpertCopies floor()
    {
        return floor;
    }

    private static double sum(final double[] values)
    {
        double s = 0;
        for (final double v : values)
        {
            s += v;
        }
        return s;
    }
}
