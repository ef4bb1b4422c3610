package dev.switchyard.node.placement;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import dev.switchyard.experts.actor.ExpertId;

/**
 * What this node knows of placement, from the cluster-wide topic: the latest measurements of every
 * gateway, the cost per row each expert node reported and the latest decision (extra copies,
 * copies moving, bridges), and where each gateway routes the copies bridges name. Written by the node's
 * {@link LoadExchange}, read by the allocation strategy, the locator, the keeper and the status report, on their own
 * threads.
 * <p>
 * A gateway's last measurement with any work in it stays its view while the gateway keeps
 * reporting, so that an idle spell does not undo a placement made under load; a gateway silent
 * for {@code forgetAfterMs} is forgotten.
 */
public final class PlacementBoard implements ExpertCopies
{
    private record Seen(PlacementMessage.Load busy, Map<String, String> routes, long lastMs)
    {
    }

    private final ExpertCopies floor;
    private final long forgetAfterMs;
    private final Map<String, Seen> gateways = new HashMap<>();
    private final Map<String, PlacementMessage.Costs> costs = new HashMap<>();
    private final Map<String, Long> leaving = new HashMap<>();  // node -> when it last said so
    private volatile PlacementMessage.State state = PlacementMessage.State.INITIAL;

    public PlacementBoard(final ExpertCopies floor, final long forgetAfterMs)
    {
        this.floor = floor;
        this.forgetAfterMs = forgetAfterMs;
    }

    public synchronized void offer(final PlacementMessage message, final long nowMs)
    {
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
    }

    /** The work of every expert summed over the gateways heard from, or null if none measured any. */
    public synchronized LoadView view(final long nowMs)
    {
        double[] work = null;
        int layers = 0;
        int experts = 0;
        for (final Iterator<Seen> it = gateways.values().iterator(); it.hasNext(); )
        {
            final Seen seen = it.next();
            if (nowMs - seen.lastMs() > forgetAfterMs)
            {
                it.remove();
                continue;
            }
            if (seen.busy() == null)
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
    public synchronized double nanosPerRow(final int index)
    {
        double sum = 0;
        int n = 0;
        for (final PlacementMessage.Costs c : costs.values())
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
    public synchronized boolean routedByAll(final String entityId, final String node, final long nowMs)
    {
        boolean any = false;
        for (final Seen seen : gateways.values())
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
    public synchronized Set<String> leaving(final long nowMs)
    {
        leaving.values().removeIf(at -> nowMs - at > forgetAfterMs);
        return Set.copyOf(leaving.keySet());
    }

    public PlacementMessage.State state()
    {
        return state;
    }

    /** The configured copies of the expert plus the extra ones placement gave it, and its bridge. */
    @Override
    public int of(final int layer, final int expert)
    {
        return floor.of(layer, expert) + state.beyondFloor(layer + "-" + expert);
    }

    @Override
    public boolean passing(final ExpertId id)
    {
        final String entityId = id.entityId();
        return state.bridges().stream().anyMatch(b -> b.bridge().equals(entityId));
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
