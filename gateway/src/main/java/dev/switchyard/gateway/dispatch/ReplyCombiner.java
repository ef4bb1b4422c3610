package dev.switchyard.gateway.dispatch;

import dev.switchyard.gateway.dispatch.ExpertRoutes.Route;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.router.plan.Combine;
import dev.switchyard.router.plan.RoutingPlan;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

/**
 * Takes experts' replies in. An OK block is combined into its group's output with the plan's gates,
 * and the group's last one completes it; DRAINING or unavailable from the expert's current
 * incarnation marks its route stale, and the block is held for the expert's next location; any
 * other status fails the group. A reply for a group that has moved on, or for a block already
 * combined, is counted and dropped.
 */
final class ReplyCombiner implements FragmentHandler
{
    private final int d;
    private final int experts;
    private final GroupPool pool;
    private final ExpertRoutes routes;
    private final BlockSender sender;
    private final GatewayMetrics metrics;
    private final ExpertBlockFrame blockFrame = new ExpertBlockFrame();
    private final float[] replyRows;  // [max block rows, d]

    ReplyCombiner(
        final int d,
        final int experts,
        final FrameSizes sizes,
        final GroupPool pool,
        final ExpertRoutes routes,
        final BlockSender sender,
        final GatewayMetrics metrics)
    {
        this.d = d;
        this.experts = experts;
        this.pool = pool;
        this.routes = routes;
        this.sender = sender;
        this.metrics = metrics;
        this.replyRows = new float[sizes.maxBlockRows() * d];
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final BlockStatus framing = blockFrame.wrap(buffer, offset, length);
        if (framing != BlockStatus.OK)
        {
            metrics.replyFrames.count(header.sessionId(), blockFrame.fault(), length);
        }
        if (framing == BlockStatus.MALFORMED)
        {
            metrics.unanswerableFrames.incrementAndGet();
            return;
        }
        final long groupId = blockFrame.groupId();
        final GroupSlot group = pool.slotOf(groupId);
        final int expert = blockFrame.expert();
        if (group == null || expert < 0 || expert >= experts)
        {
            metrics.staleReplies.incrementAndGet();
            return;
        }
        if (!group.inUse || group.open || group.groupId != groupId || !group.sent[expert] || group.received[expert])
        {
            metrics.staleReplies.incrementAndGet();
            return;
        }
        final BlockStatus status = framing == BlockStatus.OK ? blockFrame.status() : framing;
        metrics.blockReplies.increment(status);
        final RoutingPlan plan = group.plan;
        switch (status)
        {
            case OK ->
            {
                if (blockFrame.rows() != plan.slotCount(expert) || blockFrame.cols() != d)
                {
                    pool.fail(group, BlockStatus.INTERNAL, "expert " + group.layer + "/" + expert +
                        " answered " + blockFrame.rows() + " x " + blockFrame.cols() + " for a block of " +
                        plan.slotCount(expert) + " x " + d);
                    return;
                }
                blockFrame.readRows(replyRows, 0);  // [slots, d]
                Combine.accumulate(plan, expert, replyRows, d, group.y, 0);  // y [G, d] += gate * row
                group.received[expert] = true;
                if (--group.outstanding == 0)
                {
                    pool.complete(group);
                }
            }
            case DRAINING, EXPERT_UNAVAILABLE ->
            {
                group.sent[expert] = false;
                final Route route = routes.route(group.layer, expert);
                // Only the incarnation the block was sent to is gone: if the control plane already
                // named the next one, that route is good and the block goes there.
                if (blockFrame.epoch() == route.epoch)
                {
                    route.stale = true;
                }
                sender.hold(group, expert, route);
            }
            default -> pool.fail(group, status, "expert " + group.layer + "/" + expert + " answered " + status);
        }
    }
}
