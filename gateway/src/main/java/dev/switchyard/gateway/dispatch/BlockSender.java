package dev.switchyard.gateway.dispatch;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.gateway.dispatch.ExpertRoutes.Link;
import dev.switchyard.gateway.dispatch.ExpertRoutes.Route;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.router.plan.RoutingPlan;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.FloatRows;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import io.aeron.Publication;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each expert its block of a group: on a new link the gateway's hello first (it tells the
 * endpoint where to reply), then the block's rows gathered from the group into one reused buffer.
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
    private final int d;
    private final int experts;
    private final int maxAttempts;
    private final long resendNs;
    private final String replyUdpChannel;
    private final long gatewayId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private final ExpertBlockFrame blockFrame = new ExpertBlockFrame();
    private final HelloFrame helloFrame = new HelloFrame();
    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer helloBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));

    /**
     * @param replyUdpChannel where endpoints on other nodes send replies
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
        final GatewayMetrics metrics)
    {
        this.dataPlane = dataPlane;
        this.routes = routes;
        this.pool = pool;
        this.metrics = metrics;
        this.d = d;
        this.experts = experts;
        this.maxAttempts = settings.maxDispatchAttempts();
        this.resendNs = TimeUnit.MILLISECONDS.toNanos(settings.blockResendMillis());
        this.replyUdpChannel = replyUdpChannel;
        this.sendBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(sizes.blockFrameLength(), 64));
    }

    /**
     * Sends {@code expert} its rows of a dispatched group, or holds them until its route is usable
     * (or, back-pressured, until the next pass). Returns whether the block went on the wire.
     */
    boolean send(final GroupSlot group, final int expert)
    {
        final Route route = routes.route(group.layer, expert);
        if (!route.usable())
        {
            hold(group, expert, route);
            return false;
        }
        final Link link = route.link;
        if (!link.helloSent)
        {
            final int len = helloFrame.writeGatewayHello(helloBuffer, 0, gatewayId,
                WireLayout.GATEWAY_REPLY_STREAM_ID,
                route.address.driverId().equals(dataPlane.driverId()) ? DataPlane.IPC_CHANNEL : replyUdpChannel);
            final long result = offerOnce(link, helloBuffer, len);
            if (result < 0)
            {
                notSent(group, expert, route, result);
                return false;
            }
            link.helloSent = true;
        }
        final RoutingPlan plan = group.plan;
        final int rows = plan.slotCount(expert);
        blockFrame.writeHeader(sendBuffer, 0, group.groupId, gatewayId, group.layer, expert, route.epoch, rows, d,
            BlockStatus.OK);
        // [rows, d]: slot s holds the token the plan put there, gathered from x [G, d]
        for (int s = 0; s < rows; s++)
        {
            FloatRows.write(sendBuffer, WireLayout.BLOCK_HEADER_LENGTH + s * d * Float.BYTES,
                group.x, plan.slotToken(expert, s) * d, d);
        }
        final int length = WireLayout.BLOCK_HEADER_LENGTH + rows * d * Float.BYTES;
        final long result = offerOnce(link, sendBuffer, length);
        if (result < 0)
        {
            notSent(group, expert, route, result);
            return false;
        }
        group.attempts[expert]++;
        group.sent[expert] = true;
        group.sentNs[expert] = System.nanoTime();
        group.sentLink[expert] = link;
        metrics.blocksSent.incrementAndGet();
        if (group.attempts[expert] > 1)
        {
            metrics.blocksResent.incrementAndGet();
        }
        return true;
    }

    /** One offer, no waiting: the doorbell of the poller on success, the driver's when back-pressured. */
    private static long offerOnce(final Link link, final UnsafeBuffer buffer, final int length)
    {
        final Publication publication = link.outlet.publication();
        if (length > publication.maxMessageLength())
        {
            return Offers.TOO_LARGE;
        }
        final long result = publication.offer(buffer, 0, length);
        if (result > 0)
        {
            link.outlet.bell().ring();
        }
        else if (result == Publication.BACK_PRESSURED)
        {
            link.outlet.limitKeeper().ring();
        }
        return result;
    }

    private void notSent(final GroupSlot group, final int expert, final Route route, final long result)
    {
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
        {
            // Room comes back as the endpoint consumes: try again on the next pass, not a send lost.
            pool.hold(group, expert);
            return;
        }
        if (result == Offers.TOO_LARGE)
        {
            pool.fail(group, BlockStatus.INTERNAL, "block of expert " + group.layer + "/" + expert +
                " is larger than the data plane carries");
            return;
        }
        LOG.debug("block of group {} to expert {}/{} not sent: {}", group.groupId, group.layer, expert,
            Offers.describe(result));
        // The endpoint may be a new one at the same address: greet it again.
        route.link.helloSent = false;
        route.lose();
        hold(group, expert, route);
    }

    /** Holds the block of {@code expert} until its route is usable, asking where the expert is. */
    void hold(final GroupSlot group, final int expert, final Route route)
    {
        pool.hold(group, expert);
        if (!route.usable())
        {
            routes.relocateIfDue(route, System.nanoTime());
        }
    }

    /** Sends the held blocks whose route has become usable; fails a group whose block was sent too often. */
    int retryHeld()
    {
        if (pool.heldBlocks() == 0)
        {
            return 0;
        }
        int work = 0;
        for (final GroupSlot group : pool.slots())
        {
            if (!group.inUse || group.open || group.waitingCount == 0)
            {
                continue;
            }
            // A reply polled while a send waits for room may finish the group: stop at once then.
            for (int e = 0; e < experts && group.inUse; e++)
            {
                if (!group.waiting[e])
                {
                    continue;
                }
                final Route route = routes.route(group.layer, e);
                if (route.usable())
                {
                    pool.unhold(group, e);
                    if (group.attempts[e] >= maxAttempts)
                    {
                        pool.fail(group, BlockStatus.EXPERT_UNAVAILABLE,
                            "expert " + group.layer + "/" + e + " did not take its block after " +
                            group.attempts[e] + " attempts");
                        break;
                    }
                    if (send(group, e))
                    {
                        work++;
                    }
                }
                else if (!route.current())
                {
                    hold(group, e, route);
                }
            }
        }
        return work;
    }

    /**
     * The node behind {@code link} vanished: every block in flight on it is held for its expert's
     * next location (an answer that still comes from there is combined if it is first; the other
     * is ignored, so the expert is combined once), or dropped where its group's requests chose so.
     */
    int recall(final Link link, final GroupDispatcher dispatcher)
    {
        int recalled = 0;
        for (final GroupSlot group : pool.slots())
        {
            if (!group.inUse || group.open)
            {
                continue;
            }
            // Dropping the last outstanding block completes (and releases) the group: stop then.
            for (int e = 0; e < experts && group.inUse; e++)
            {
                if (group.sent[e] && !group.received[e] && group.sentLink[e] == link)
                {
                    group.sent[e] = false;
                    if (!dispatcher.dropLate(group, e))
                    {
                        hold(group, e, routes.route(group.layer, e));
                    }
                    recalled++;
                }
            }
        }
        return recalled;
    }

    /**
     * Looks at blocks unanswered for the resend time: such a block may have gone to a node that
     * left, so its expert's location is asked for, and the block is sent again once the route names
     * another endpoint (a late answer to the first send is then ignored, the expert is combined once).
     */
    int resendOverdue(final long nowNs)
    {
        int work = 0;
        for (final GroupSlot group : pool.slots())
        {
            if (!group.inUse || group.open)
            {
                continue;
            }
            for (int e = 0; e < experts; e++)
            {
                if (group.sent[e] && !group.received[e] && nowNs - group.sentNs[e] > resendNs)
                {
                    final Route route = routes.route(group.layer, e);
                    if (route.link != group.sentLink[e])
                    {
                        group.sent[e] = false;
                        hold(group, e, route);
                        work++;
                    }
                    else
                    {
                        routes.relocateIfDue(route, nowNs);
                    }
                }
            }
        }
        return work;
    }
}
