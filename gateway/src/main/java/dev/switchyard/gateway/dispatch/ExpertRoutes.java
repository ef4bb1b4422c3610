package dev.switchyard.gateway.dispatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.switchyard.experts.actor.ExpertId;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.experts.endpoint.EndpointAddress;
import dev.switchyard.dataplane.Outlet;
import org.agrona.CloseHelper;

/**
 * Where each expert of each layer is served, as the control plane last said: a route per replica of
 * each expert (up to {@link ExpertId#MAX_REPLICAS}), and one link per endpoint, shared by the experts it serves. A
 * route found unusable (its expert answered DRAINING) is marked stale until the control plane names another location or
 * epoch; one whose endpoint vanished (an offer failed, its node became unreachable) until it names any; it is asked to
 * at most every 250 ms per expert, so that held blocks do not flood it with the same question.
 */
final class ExpertRoutes implements AutoCloseable
{
    private static final long RELOCATE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    static final int REPLICAS = ExpertId.MAX_REPLICAS;

    /** The way to one expert endpoint. */
    static final class Link
    {
        final Outlet outlet;
        // The endpoint learns where to reply from the gateway's hello, sent before the first block.
        boolean helloSent;
        // A block sent on it was answered once: a later failure to connect is a node that left,
        // not an address this gateway cannot reach.
        boolean heard;

        Link(final Outlet outlet)
        {
            this.outlet = outlet;
        }
    }

    /** Where one expert is served. */
    static final class Route
    {
        final int layer;
        final int expert;
        final int replica;
        EndpointAddress address;
        Link link;
        int epoch;
        boolean stale;
        // Its endpoint vanished (not merely moving): a request that chose to drop skips it.
        boolean lost;
        long lastRelocateNs;

        Route(final int layer, final int expert, final int replica)
        {
            this.layer = layer;
            this.expert = expert;
            this.replica = replica;
        }

        /** Whether a block can be offered on this route now. */
        boolean usable()
        {
            return link != null && !stale && link.outlet.publication().isConnected();
        }

        /**
         * The location failed (the endpoint vanished or refused a block): the route waits for the
         * control plane to name one again, and accepts that answer even if it names the same
         * place, since a node thought dead may only have been slow.
         */
        void lose()
        {
            stale = true;
            lost = true;
            epoch = 0;  // incarnations count from 1: any location named next is taken
        }

        /** Whether the control plane has named a location that has not failed since. */
        boolean current()
        {
            return link != null && !stale;
        }
    }

    private final DataPlane dataPlane;
    private final RelocationRequests relocation;
    private final int layers;
    private final int experts;
    private final Route[][][] routes;  // [layers, E, REPLICAS]
    private final Map<EndpointAddress, Link> links = new HashMap<>();

    ExpertRoutes(final DataPlane dataPlane, final int layers, final int experts, final RelocationRequests relocation)
    {
        this.dataPlane = dataPlane;
        this.relocation = relocation;
        this.layers = layers;
        this.experts = experts;
        this.routes = new Route[layers][experts][REPLICAS];
        for (int l = 0; l < layers; l++)
        {
            for (int e = 0; e < experts; e++)
            {
                for (int r = 0; r < REPLICAS; r++)
                {
                    routes[l][e][r] = new Route(l, e, r);
                }
            }
        }
    }

    Route route(final int layer, final int expert, final int replica)
    {
        return routes[layer][expert][replica];
    }

    /** How many replicas of the expert can take a block now. */
    int usableCount(final int layer, final int expert)
    {
        int n = 0;
        for (final Route r : routes[layer][expert])
        {
            if (r.usable())
            {
                n++;
            }
        }
        return n;
    }

    /**
     * The usable replica for part {@code part} of a block: the parts of one block go to distinct
     * replicas while there are enough, in turn otherwise. Null when no replica is usable.
     */
    Route pick(final int layer, final int expert, final int part)
    {
        final int usable = usableCount(layer, expert);
        if (usable == 0)
        {
            return null;
        }
        int skip = part % usable;
        for (final Route r : routes[layer][expert])
        {
            if (r.usable() && skip-- == 0)
            {
                return r;
            }
        }
        return null;
    }

    /** Whether any replica of the expert has a location that has not failed since it was named. */
    boolean anyCurrent(final int layer, final int expert)
    {
        for (final Route r : routes[layer][expert])
        {
            if (r.current())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The control plane learned that replica {@code replica} of {@code (layer, expert)} is served at {@code address}.
     */
    void apply(final int layer, final int expert, final int replica, final EndpointAddress address, final int epoch)
    {
        if (layer < 0 || layer >= layers || expert < 0 || expert >= experts || replica < 0 || replica >= REPLICAS)
        {
            return;
        }
        final Route route = routes[layer][expert][replica];
        if (route.stale && epoch == route.epoch && address.equals(route.address))
        {
            // The old location answered before it finished moving: ask again shortly.
            return;
        }
        Link link = links.get(address);
        if (link == null)
        {
            link = new Link(dataPlane.outlet(address.channelFrom(dataPlane.driverId()), address.streamId()));
            links.put(address, link);
        }
        route.address = address;
        route.link = link;
        route.epoch = epoch;
        route.stale = false;
        route.lost = false;
    }

    /**
     * Replica {@code replica} of {@code (layer, expert)} was located where nothing can be sent: it
     * waits for another location.
     */
    void unreachable(final int layer, final int expert, final int replica)
    {
        if (layer >= 0 && layer < layers && expert >= 0 && expert < experts && replica >= 0 && replica < REPLICAS)
        {
            routes[layer][expert][replica].lose();
        }
    }

    /**
     * The incarnation {@code epoch} of {@code (layer, expert)} answered that it no longer serves
     * (DRAINING, or not there): every route still naming it waits for a new location. Copies that
     * share one node share its incarnation, so all of them are marked.
     */
    void incarnationGone(final int layer, final int expert, final int epoch)
    {
        for (final Route r : routes[layer][expert])
        {
            if (r.link != null && r.epoch == epoch)
            {
                r.stale = true;
            }
        }
    }

    /** Replica {@code replica} of {@code (layer, expert)} is no longer hosted: it takes no part until located again. */
    void retire(final int layer, final int expert, final int replica)
    {
        if (layer < 0 || layer >= layers || expert < 0 || expert >= experts || replica < 0 || replica >= REPLICAS)
        {
            return;
        }
        final Route route = routes[layer][expert][replica];
        route.address = null;
        route.link = null;
        route.epoch = 0;
        route.stale = false;
        route.lost = false;
    }

    /**
     * The endpoint at {@code address} is gone with its node: every route to it waits for a new
     * location. Returns its link (to recall the blocks in flight on it), or null if none was used.
     */
    Link lose(final EndpointAddress address)
    {
        final Link link = links.get(address);
        if (link == null)
        {
            return null;
        }
        link.helloSent = false;
        for (final Route[][] layer : routes)
        {
            for (final Route[] expert : layer)
            {
                for (final Route r : expert)
                {
                    if (address.equals(r.address))
                    {
                        r.lose();
                    }
                }
            }
        }
        return link;
    }

    /**
     * Marks in {@code out} [E] the experts of {@code layer} that cannot be reached now: no replica
     * located, or the endpoints of all that were vanished. An expert that is moving (its old home answered DRAINING) is
     * not unreachable: its next home is being prepared. Returns whether any is marked.
     */
    boolean unreachable(final int layer, final boolean[] out)
    {
        boolean any = false;
        for (int e = 0; e < experts; e++)
        {
            out[e] = unreachable(layer, e);
            any |= out[e];
        }
        return any;
    }

    /** Whether {@code (layer, expert)} cannot be reached now (see {@link #unreachable(int, boolean[])}). */
    boolean unreachable(final int layer, final int expert)
    {
        boolean none = true;
        for (final Route r : routes[layer][expert])
        {
            none &= r.address == null || r.lost;
        }
        return none;
    }

    /** Whether a route is known for some replica of every expert of every layer; may be called from any thread. */
    boolean allKnown()
    {
        for (final Route[][] layer : routes)
        {
            for (final Route[] expert : layer)
            {
                // Read racily on purpose: a hint for waiting until the system is ready.
                boolean known = false;
                for (final Route r : expert)
                {
                    known |= r.address != null;
                }
                if (!known)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Up to {@code limit} experts, as {@code layer/expert}, that cannot take a block now (no replica
     * located, or all moving or not connected); may be called from any thread: a hint for readiness,
     * read racily.
     */
    List<String> unusable(final int limit)
    {
        final List<String> out = new ArrayList<>();
        for (int l = 0; l < layers; l++)
        {
            for (int e = 0; e < experts; e++)
            {
                if (out.size() < limit && usableCount(l, e) == 0)
                {
                    out.add(l + "/" + e);
                }
            }
        }
        return out;
    }

    /** Asks the control plane where the expert's replicas are now, unless it was asked a moment ago. */
    void relocateIfDue(final int layer, final int expert, final long nowNs)
    {
        final Route first = routes[layer][expert][0];
        if (nowNs - first.lastRelocateNs > RELOCATE_INTERVAL_NS)
        {
            first.lastRelocateNs = nowNs;
            relocation.relocate(layer, expert);
        }
    }

    @Override
    public void close()
    {
        links.values().forEach(l -> CloseHelper.quietClose(l.outlet));
    }
}
