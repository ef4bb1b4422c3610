package dev.switchyard.gateway.dispatch;

import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.gateway.metrics.StageLatency;
import dev.switchyard.routing.plan.Combine;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.FloatRows;
import dev.switchyard.wire.sbe.BlockStatus;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;

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
    private final BlockSender sender;
    private final ExpertRoutes routes;
    private final GatewayMetrics metrics;
    private final ExpertBlockFrame blockFrame = new ExpertBlockFrame();
    private final NanoClock clock;

    ReplyCombiner(
        final int d,
        final int experts,
        final GroupPool pool,
        final BlockSender sender,
        final ExpertRoutes routes,
        final GatewayMetrics metrics,
        final NanoClock clock)
    {
        this.clock = clock;
        this.routes = routes;
        this.d = d;
        this.experts = experts;
        this.pool = pool;
        this.sender = sender;
        this.metrics = metrics;
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
        final long wireId = blockFrame.groupId();
        final long groupId = wireId & GroupSlot.GROUP_MASK;
        final int part = (int)(wireId >>> GroupSlot.PART_SHIFT);
        final GroupSlot group = pool.slotOf(groupId);
        final int expert = blockFrame.expert();
        if (group == null || expert < 0 || expert >= experts || part >= GroupSlot.PARTS)
        {
            metrics.staleReplies.incrementAndGet();
            return;
        }
        final int unit = expert * GroupSlot.PARTS + part;
        if (!group.inUse || group.open || group.groupId != groupId || !group.sent[unit] || group.received[unit])
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
                final int rows = group.partRows[unit];
                if (blockFrame.rows() != rows || blockFrame.cols() != d)
                {
                    pool.fail(group, BlockStatus.INTERNAL, "expert " + group.layer + "/" + expert +
                        " answered " + blockFrame.rows() + " x " + blockFrame.cols() + " for a block of " +
                        rows + " x " + d);
                    return;
                }
                final long combineNs = clock.nanoTime();
                metrics.stages.recordNanos(StageLatency.Stage.EXPERT_ROUND_TRIP, combineNs - group.sentNs[unit]);
                if (pool.staged(group))
                {
                    stage(plan, expert, group.partStart[unit], group.terms);
                }
                else if (!group.combinesInPlace() || group.segmentLive(0))
                {
                    accumulate(plan, expert, group.partStart[unit], rows, group.output, group.outputRow * d);
                }
                metrics.stages.recordNanos(StageLatency.Stage.COMBINE, clock.nanoTime() - combineNs);
                group.received[unit] = true;
                heardFrom(group, unit);
                if (group.attempts[unit] == 1)
                {
                    sender.answered(clock.nanoTime() - group.sentNs[unit]);
                }
                if (--group.outstanding == 0)
                {
                    pool.complete(group);
                }
            }
            case DRAINING, EXPERT_UNAVAILABLE ->
            {
                group.sent[unit] = false;
                // Only the incarnation that answered is gone (the reply names it: a part hedged to
                // another replica was last sent elsewhere). If the control plane already named the
                // next one, that route is good and the part goes there (or to another replica).
                routes.incarnationGone(group.layer, expert, blockFrame.epoch());
                sender.hold(group, unit);
            }
            default -> pool.fail(group, status, "expert " + group.layer + "/" + expert + " answered " + status);
        }
    }

    /**
     * The reply's rows into the group's staged terms [entries * G, d], at the slots of the expert's
     * part: the group's last reply adds them in a fixed order (GroupPool#complete).
     */
    private void stage(final RoutingPlan plan, final int expert, final int first, final float[] terms)
    {
        // An expert's slots are consecutive in the slot table, so its part is read in one piece.
        blockFrame.readRows(terms, plan.slotIndex(expert, first) * d);  // [rows, d]
    }

    /**
     * y [G, d] (from {@code yOffset}) += gate * row for the expert's slots {@code first .. first + rows},
     * the rows [rows, d] read where the reply lies (the term buffer, or the assembler's for a reply of
     * several fragments) rather than copied out first: the same products and sums as
     * {@link Combine#accumulate}, so a split block combines bit for bit as a whole one (each token gets
     * one term per expert, and two-term sums commute).
     */
    private void accumulate(final RoutingPlan plan, final int expert, final int first, final int rows, final float[] y,
        final int yOffset)
    {
        final DirectBuffer reply = blockFrame.buffer();
        final int rowBytes = d * Float.BYTES;
        int at = blockFrame.rowsIndex();
        for (int i = 0; i < rows; i++)
        {
            final int slot = first + i;
            FloatRows.accumulate(reply, at, plan.slotGate(expert, slot), y, yOffset + plan.slotToken(expert, slot) * d,
                d);
            at += rowBytes;
        }
    }

    /** The endpoint the part went to answered: it is reachable, and no longer silent if it was. */
    private void heardFrom(final GroupSlot group, final int unit)
    {
        if (group.sentLink[unit] instanceof ExpertRoutes.Link link)
        {
            link.heard = true;
        }
        if (group.sentRoute[unit] instanceof ExpertRoutes.Route route && route.address != null)
        {
            metrics.silentEndpoints.answered(route.address.udpChannel());
        }
    }
}
