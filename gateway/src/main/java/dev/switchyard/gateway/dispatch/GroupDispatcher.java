package dev.switchyard.gateway.dispatch;

import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.router.gating.RouterProjection;
import dev.switchyard.router.gating.Top2Gating;
import dev.switchyard.router.plan.Combine;
import dev.switchyard.router.plan.RoutingPlan;
import dev.switchyard.wire.sbe.BlockStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a closed group on its way: gates its tokens with its layer's router into a routing plan,
 * then has every expert with slots in the plan sent its block. A group that gives no expert a slot
 * is complete at once.
 */
final class GroupDispatcher
{
    private static final Logger LOG = LoggerFactory.getLogger(GroupDispatcher.class);

    private final RouterProjection[] routers;  // [layers]
    private final Top2Gating[] gatings;        // [layers]
    private final int d;
    private final int experts;
    private final GroupPool pool;
    private final BlockSender sender;
    private final GatewayMetrics metrics;

    /**
     * @param routers the router of every layer, [layers]
     * @param gatings the gating of every layer, [layers]
     */
    GroupDispatcher(
        final int d,
        final int experts,
        final RouterProjection[] routers,
        final Top2Gating[] gatings,
        final GroupPool pool,
        final BlockSender sender,
        final GatewayMetrics metrics)
    {
        this.d = d;
        this.experts = experts;
        this.routers = routers;
        this.gatings = gatings;
        this.pool = pool;
        this.sender = sender;
        this.metrics = metrics;
    }

    void dispatch(final GroupSlot group)
    {
        final int layer = group.layer;
        final RoutingPlan plan = group.plan;
        try
        {
            routers[layer].gates(group.x, 0, group.tokens, group.gates);  // x [G, d] -> gates [G, E]
            gatings[layer].route(group.gates, group.tokens, group.anyImportance ? group.importance : null, 0,
                group.ordinal, plan);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("gating of group {} failed", group.groupId, ex);
            pool.fail(group, BlockStatus.INTERNAL, "gating failed: " + ex.getMessage());
            return;
        }
        Combine.clear(group.y, 0, group.tokens, d);  // y [G, d], accumulated as experts reply
        metrics.groupsDispatched.incrementAndGet();
        metrics.droppedFirstByCapacity.addAndGet(plan.droppedFirstByCapacity());
        metrics.droppedSecondByCapacity.addAndGet(plan.droppedSecondByCapacity());
        metrics.secondRemovedByPolicy.addAndGet(plan.secondRemovedByPolicy());
        metrics.tokensWithoutExpert.addAndGet(plan.tokensWithoutExpert());
        group.dispatchedNs = System.nanoTime();
        int outstanding = 0;
        for (int e = 0; e < experts; e++)
        {
            if (plan.slotCount(e) > 0)
            {
                outstanding++;
            }
        }
        group.outstanding = outstanding;
        if (outstanding == 0)
        {
            pool.complete(group);
            return;
        }
        // A reply polled while a send waits for room may finish the group: stop at once then.
        for (int e = 0; e < experts && group.inUse; e++)
        {
            if (plan.slotCount(e) > 0)
            {
                metrics.addExpertRows(layer, e, plan.slotCount(e));
                sender.send(group, e);
            }
        }
    }
}
