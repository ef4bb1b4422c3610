package dev.switchyard.gateway.dispatch;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.switchyard.experts.endpoint.DataPlane;
import dev.switchyard.experts.endpoint.Offers;
import dev.switchyard.gateway.dispatch.ExpertRoutes.Link;
import dev.switchyard.gateway.dispatch.ExpertRoutes.Route;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.router.plan.RoutingPlan;
import dev.switchyard.router.wire.ExpertBlockFrame;
import dev.switchyard.router.wire.FloatRows;
import dev.switchyard.router.wire.HelloFrame;
import dev.switchyard.router.wire.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.BufferUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each expert its block of a group: on a new link the gateway's hello first (it tells the
 * endpoint where to reply), then the block's rows gathered from the group into one reused buffer.
 * A block whose route is unknown, stale or not connected is held and sent once a usable route
 * appears, up to {@link GatewaySettings#maxDispatchAttempts()} sends; one unanswered for
 * {@link GatewaySettings#blockResendMillis()} is sent again once its expert is found elsewhere.
 */
final class BlockSender
{
    private static final Logger LOG = LoggerFactory.getLogger(BlockSender.class);
    private static final long OFFER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

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
    private final IdleStrategy offerIdle;
    private final Offers.WhileWaiting whileOffering;

    /**
     * @param replyUdpChannel where endpoints on other nodes send replies
     * @param offerIdle       how an offer waits for room (shared by the gateway's offers, one thread)
     * @param whileOffering   work done while an offer waits for room
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
        final IdleStrategy offerIdle,
        final Offers.WhileWaiting whileOffering)
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
        this.offerIdle = offerIdle;
        this.whileOffering = whileOffering;
    }

    /** Sends {@code expert} its rows of a dispatched group, or holds them until its route is usable. */
    void send(final GroupSlot group, final int expert)
    {
        final Route route = routes.route(group.layer, expert);
        if (!route.usable())
        {
            hold(group, expert, route);
            return;
        }
        final Link link = route.link;
        if (!link.helloSent)
        {
            final int len = helloFrame.writeGatewayHello(helloBuffer, 0, gatewayId,
                WireLayout.GATEWAY_REPLY_STREAM_ID,
                route.address.driverId().equals(dataPlane.driverId()) ? DataPlane.IPC_CHANNEL : replyUdpChannel);
            final long result = link.outlet.offer(helloBuffer, 0, len, offerIdle, OFFER_TIMEOUT_NS, whileOffering);
            if (result < 0)
            {
                hold(group, expert, route);
                return;
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
        group.attempts[expert]++;
        final long result = link.outlet.offer(sendBuffer, 0, length, offerIdle, OFFER_TIMEOUT_NS, whileOffering);
        if (result > 0)
        {
            group.sent[expert] = true;
            group.sentNs[expert] = System.nanoTime();
            group.sentLink[expert] = link;
            metrics.blocksSent.incrementAndGet();
            if (group.attempts[expert] > 1)
            {
                metrics.blocksResent.incrementAndGet();
            }
        }
        else
        {
            LOG.debug("block of group {} to expert {}/{} not sent: {}", group.groupId, group.layer, expert,
                Offers.describe(result));
            // The endpoint may be a new one at the same address: greet it again.
            link.helloSent = false;
            route.stale = true;
            hold(group, expert, route);
        }
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
                    send(group, e);
                    work++;
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
