package dev.switchyard.gateway.dispatch;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.gateway.dispatch.ExpertRoutes.Link;
import dev.switchyard.gateway.dispatch.ExpertRoutes.Route;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import io.aeron.Publication;
import org.agrona.BufferUtil;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each expert its block of a group, split into parts across its live replicas (see
 * {@link GroupSlot}): on a new link the gateway's hello first (it tells the endpoint where to
 * reply), then the part's block ({@link BlockOffer}).
 * Offers never wait: a back-pressured block is held and offered again on the next pass of the
 * duty cycle, so that one slow endpoint does not stall the blocks, replies and answers of the
 * others. A block whose route is unknown, stale or not connected is held and sent once a usable
 * route appears, up to {@link GatewaySettings#maxDispatchAttempts()} sends; one unanswered for
 * {@link GatewaySettings#blockResendMillis()}, or in flight to a node that vanished, is sent again
 * once its expert is found elsewhere.
 */
final class BlockSender
{
    private static final Logger LOG = LoggerFactory.getLogger(BlockSender.class);

    private final DataPlane dataPlane;
    private final ExpertRoutes routes;
    private final GroupPool pool;
    private final GatewayMetrics metrics;
    private final int experts;
    private final int maxAttempts;
    private final long resendNs;
    private final String replyUdpChannel;
    private final long gatewayId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private final HelloFrame helloFrame = new HelloFrame();
    private final BlockOffer blocks;
    private final ReplicaHedge hedge;
    private final NanoClock clock;
    private final UnsafeBuffer helloBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));

    /**
     * @param replyUdpChannel where endpoints on other nodes send replies
     * @param clock           when each part goes out, and when its expert is asked for
     */
    BlockSender(
        final DataPlane dataPlane,
        final ExpertRoutes routes,
        final GroupPool pool,
        final int d,
        final int experts,
        final FrameSizes sizes,
        final GatewaySettings settings,
        final String replyUdpChannel,
        final GatewayMetrics metrics,
        final NanoClock clock)
    {
        this.clock = clock;
        this.dataPlane = dataPlane;
        this.routes = routes;
        this.pool = pool;
        this.metrics = metrics;
        this.experts = experts;
        this.maxAttempts = settings.maxDispatchAttempts();
        this.resendNs = TimeUnit.MILLISECONDS.toNanos(settings.blockResendMillis());
        this.replyUdpChannel = replyUdpChannel;
        this.blocks = new BlockOffer(d, sizes, metrics);
        this.hedge = new ReplicaHedge(resendNs);
    }

    /** A part first sent {@code roundTripNs} ago was answered. */
    void answered(final long roundTripNs)
    {
        hedge.observe(roundTripNs);
    }

    /**
     * Sends one part ({@code unit}, see {@link GroupSlot}) of an expert's block of a dispatched group
     * to a live replica, or holds it until one is usable (or, back-pressured, until the next pass).
     * Returns whether the part went on the wire.
     */
    boolean send(final GroupSlot group, final int unit)
    {
        final int expert = unit / GroupSlot.PARTS;
        final Route route = routes.pick(group.layer, expert, unit % GroupSlot.PARTS);
        if (route == null)
        {
            hold(group, unit);
            return false;
        }
        return sendTo(group, unit, route, false);
    }

    /** Sends a part to {@code route}; a hedge (a second copy of a part in flight) that fails is let go. */
    private boolean sendTo(final GroupSlot group, final int unit, final Route route, final boolean hedge)
    {
        final Link link = route.link;
        if (!link.helloSent)
        {
            final int len = helloFrame.writeGatewayHello(helloBuffer, 0, gatewayId,
                WireLayout.GATEWAY_REPLY_STREAM_ID,
                route.address.driverId().equals(dataPlane.driverId()) ? DataPlane.IPC_CHANNEL : replyUdpChannel);
            final long result = BlockOffer.offerOnce(link.outlet, helloBuffer, len);
            if (result < 0)
            {
                if (!hedge)
                {
                    notSent(group, unit, route, result);
                }
                return false;
            }
            link.helloSent = true;
        }
        final long result = blocks.offer(link.outlet, group, unit, gatewayId, route.epoch);
        if (result < 0)
        {
            if (!hedge)
            {
                notSent(group, unit, route, result);
            }
            return false;
        }
        group.attempts[unit]++;
        if (!hedge)
        {
            group.dispatches[unit]++;
        }
        group.sent[unit] = true;
        group.sentNs[unit] = clock.nanoTime();
        group.sentLink[unit] = link;
        group.sentRoute[unit] = route;
        metrics.blocksSent.incrementAndGet();
        if (group.attempts[unit] > 1)
        {
            metrics.blocksResent.incrementAndGet();
        }
        return true;
    }

    /**
     * Sends a copy of an unanswered part to a live replica on another endpoint than the one it went
     * to (copies sharing a node share its endpoint, and its delay).
     */
    private int hedge(final GroupSlot group, final int unit)
    {
        final int expert = unit / GroupSlot.PARTS;
        final Object last = group.sentLink[unit];
        for (int r = 0; r < ExpertRoutes.REPLICAS; r++)
        {
            final Route other = routes.route(group.layer, expert, r);
            if (other.link != last && other.usable())
            {
                return sendTo(group, unit, other, true) ? 1 : 0;
            }
        }
        return 0;
    }

    private void notSent(final GroupSlot group, final int unit, final Route route, final long result)
    {
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
        {
            // Room comes back as the endpoint consumes: try again on the next pass, not a send lost.
            pool.hold(group, unit);
            return;
        }
        final int expert = unit / GroupSlot.PARTS;
        if (result == Offers.TOO_LARGE)
        {
            pool.fail(group, BlockStatus.INTERNAL, "block of expert " + group.layer + "/" + expert +
                " is larger than the data plane carries");
            return;
        }
        LOG.debug("block of group {} to expert {}/{} replica {} not sent: {}", group.groupId, group.layer, expert,
            route.replica, Offers.describe(result));
        if (!route.link.heard)
        {
            // Never answered at all: likely an address this gateway cannot reach (not a node that left).
            metrics.silentEndpoints.unanswered(route.address.udpChannel(), route.address.driverId(),
                "not connected (" + Offers.describe(result) + "), never answered");
        }
        // The endpoint may be a new one at the same address: greet it again.
        route.link.helloSent = false;
        route.lose();
        hold(group, unit);
    }

    /** Holds a part until a replica of its expert is usable, asking where the expert's replicas are. */
    void hold(final GroupSlot group, final int unit)
    {
        pool.hold(group, unit);
        final int expert = unit / GroupSlot.PARTS;
        if (routes.usableCount(group.layer, expert) == 0)
        {
            routes.relocateIfDue(group.layer, expert, clock.nanoTime());
        }
    }

    /** Sends the held parts that a replica can take now; fails a group whose part was sent too often. */
    int retryHeld()
    {
        if (pool.heldBlocks() == 0)
        {
            return 0;
        }
        int work = 0;
        final int units = experts * GroupSlot.PARTS;
        for (final GroupSlot group : pool.slots())
        {
            if (!group.inUse || group.open || group.waitingCount == 0)
            {
                continue;
            }
            // A reply polled while a send waits for room may finish the group: stop at once then.
            for (int u = 0; u < units && group.inUse; u++)
            {
                if (!group.waiting[u])
                {
                    continue;
                }
                final int expert = u / GroupSlot.PARTS;
                if (routes.usableCount(group.layer, expert) > 0)
                {
                    pool.unhold(group, u);
                    if (group.dispatches[u] >= maxAttempts)
                    {
                        pool.fail(group, BlockStatus.EXPERT_UNAVAILABLE,
                            "expert " + group.layer + "/" + expert + " did not take its block after " +
                            group.dispatches[u] + " attempts");
                        break;
                    }
                    if (send(group, u))
                    {
                        work++;
                    }
                }
                else if (!routes.anyCurrent(group.layer, expert))
                {
                    hold(group, u);
                }
            }
        }
        return work;
    }

    /**
     * The node behind {@code link} vanished: every part in flight on it goes at once to another live
     * replica of its expert, or is held for the expert's next location (an answer that still comes
     * from there is combined if it is first; the other is ignored, so each part is combined once),
     * or, for an expert with no other replica, dropped where its group's requests chose so. A whole
     * block already held for an expert that now has no live home is dropped the same way.
     */
    int recall(final Link link, final GroupDispatcher dispatcher)
    {
        int recalled = 0;
        final int units = experts * GroupSlot.PARTS;
        for (final GroupSlot group : pool.slots())
        {
            if (!group.inUse || group.open)
            {
                continue;
            }
            // Dropping the last outstanding part completes (and releases) the group: stop then.
            for (int u = 0; u < units && group.inUse; u++)
            {
                if (group.sent[u] && !group.received[u] && group.sentLink[u] == link)
                {
                    group.sent[u] = false;
                    final int expert = u / GroupSlot.PARTS;
                    final boolean elsewhere = routes.usableCount(group.layer, expert) > 0;
                    if (elsewhere || group.parts[expert] > 1 || !dispatcher.dropLate(group, expert))
                    {
                        pool.hold(group, u);
                        if (!elsewhere)
                        {
                            routes.relocateIfDue(group.layer, expert, clock.nanoTime());
                        }
                    }
                    recalled++;
                }
                else if (group.waiting[u] && dispatcher.dropHeld(group, u))
                {
                    recalled++;
                }
            }
        }
        if (recalled > 0)
        {
            retryHeld();
        }
        return recalled;
    }

    /**
     * Looks at blocks unanswered for the resend time: such a block may have gone to a node that
     * left, so its expert's location is asked for, and the block is sent again once the route names
     * another endpoint (a late answer to the first send is then ignored, the expert is combined once).
     * A part unanswered for the hedge time ({@link ReplicaHedge}) whose expert has another live
     * replica is sent there too; whichever answer comes first is combined, the other ignored.
     */
    int resendOverdue(final long nowNs)
    {
        final long hedgeNs = hedge.afterNs();
        int work = 0;
        final int units = experts * GroupSlot.PARTS;
        for (final GroupSlot group : pool.slots())
        {
            if (!group.inUse || group.open)
            {
                continue;
            }
            for (int u = 0; u < units; u++)
            {
                if (group.sent[u] && !group.received[u] && nowNs - group.sentNs[u] > resendNs)
                {
                    final Route route = (Route)group.sentRoute[u];
                    final int expert = u / GroupSlot.PARTS;
                    if (route.link != group.sentLink[u] ||
                        (!route.current() && routes.usableCount(group.layer, expert) > 0))
                    {
                        group.sent[u] = false;
                        hold(group, u);
                        work++;
                    }
                    else
                    {
                        // Its route is current, yet no result came: the endpoint may have dropped it
                        // (its replies to this gateway backed up). It is computed again there; a late
                        // duplicate finds the part received and is ignored as stale.
                        metrics.silentEndpoints.unanswered(route.address.udpChannel(), route.address.driverId(),
                            "no reply within " + TimeUnit.NANOSECONDS.toMillis(resendNs) + " ms");
                        routes.relocateIfDue(group.layer, expert, nowNs);
                        group.sent[u] = false;
                        hold(group, u);
                        work++;
                    }
                }
                else if (group.sent[u] && !group.received[u] && nowNs - group.sentNs[u] > hedgeNs)
                {
                    work += hedge(group, u);  // counted with the resent blocks
                }
            }
        }
        return work;
    }
}
