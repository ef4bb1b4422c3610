package dev.switchyard.gateway.dispatch;

import java.util.Arrays;

import dev.switchyard.gateway.gating.LayerGating;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.gateway.metrics.StageLatency;
import dev.switchyard.routing.plan.Combine;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a closed group on its way: gates its tokens with its layer's gating into a routing plan,
 * then has every expert with slots in the plan sent its block. A group that gives no expert a slot
 * is complete at once. When some of the layer's experts cannot be reached and every request in the
 * group chose to drop them (or left it to a gateway that drops), the group is gated with capacity 0
 * for them (docs/contracts.md §3, degraded answers) and its requests are answered DEGRADED, naming them.
 */
final class GroupDispatcher implements GroupSink
{
    private static final Logger LOG = LoggerFactory.getLogger(GroupDispatcher.class);

    private final LayerGating[] gatings;       // [layers]
    private final int d;
    private final int experts;
    private final GroupPool pool;
    private final BlockSender sender;
    private final GatewayMetrics metrics;
    private final ExpertRoutes routes;
    private final boolean dropByDefault;
    private final boolean[] unreachable;  // [E] scratch
    private final NanoClock clock;

    /**
     * @param gatings the gating of every layer, [layers]
     * @param clock   times the stages of a group, for the metrics
     */
    GroupDispatcher(
        final int d,
        final int experts,
        final LayerGating[] gatings,
        final GroupPool pool,
        final BlockSender sender,
        final GatewayMetrics metrics,
        final ExpertRoutes routes,
        final boolean dropByDefault,
        final NanoClock clock)
    {
        this.clock = clock;
        this.routes = routes;
        this.dropByDefault = dropByDefault;
        this.unreachable = new boolean[experts];
        this.d = d;
        this.experts = experts;
        this.gatings = gatings;
        this.pool = pool;
        this.sender = sender;
        this.metrics = metrics;
    }

    @Override
    public void dispatch(final GroupSlot group)
    {
        final int layer = group.layer;
        final RoutingPlan plan = group.plan;
        final long gatingNs = clock.nanoTime();
        metrics.stages.recordNanos(StageLatency.Stage.QUEUE_WAIT, gatingNs - oldestArrivalNs(group, gatingNs));
        try
        {
            final boolean[] skip = drops(group) ? skipFor(group) : null;
            // x [G, d] -> plan
            gatings[layer].route(group.input, group.inputRow * d, group.tokens,
                group.anyImportance ? group.importance : null, group.ordinal, skip, group.gates, plan);
            if (skip != null)
            {
                System.arraycopy(skip, 0, group.skipped, 0, group.skipped.length);
                for (int s = 0; s < group.segments; s++)
                {
                    if (group.segmentLive(s))
                    {
                        group.segRequest[s].skip(skip);
                    }
                }
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("gating of group {} failed", group.groupId, ex);
            pool.fail(group, BlockStatus.INTERNAL, "gating failed: " + ex.getMessage());
            return;
        }
        group.reserveOutputs();
        Combine.clear(group.output, group.outputRow * d, group.tokens, d);  // y [G, d], accumulated as experts reply
        metrics.groupsDispatched.incrementAndGet();
        metrics.droppedFirstByCapacity.addAndGet(plan.droppedFirstByCapacity());
        metrics.droppedSecondByCapacity.addAndGet(plan.droppedSecondByCapacity());
        metrics.secondRemovedByPolicy.addAndGet(plan.secondRemovedByPolicy());
        metrics.tokensWithoutExpert.addAndGet(plan.tokensWithoutExpert());
        metrics.routing.record(layer, plan, gatings[layer].groupSize());
        group.dispatchedNs = clock.nanoTime();
        metrics.stages.recordNanos(StageLatency.Stage.GATING, group.dispatchedNs - gatingNs);
        // Rows are independent: an expert's block is split across its live replicas (at least one
        // part, which waits for a replica if none is live).
        int outstanding = 0;
        for (int e = 0; e < experts; e++)
        {
            final int rows = plan.slotCount(e);
            if (rows > 0)
            {
                final int parts = Math.max(1, Math.min(rows, routes.usableCount(layer, e)));
                group.split(e, rows, parts);
                outstanding += parts;
            }
        }
        group.outstanding = outstanding;
        if (outstanding == 0)
        {
            pool.complete(group);
            return;
        }
        // A send that fails the group (a block too large to carry) releases it: stop at once then.
        for (int e = 0; e < experts && group.inUse; e++)
        {
            if (plan.slotCount(e) > 0)
            {
                metrics.addExpertRows(layer, e, plan.slotCount(e));
                for (int p = 0; p < group.parts[e] && group.inUse; p++)
                {
                    sender.send(group, e * GroupSlot.PARTS + p);
                }
            }
        }
        metrics.stages.recordNanos(StageLatency.Stage.DISPATCH, clock.nanoTime() - group.dispatchedNs);
    }

    private static long oldestArrivalNs(final GroupSlot group, final long nowNs)
    {
        long oldest = nowNs;
        for (int s = 0; s < group.segments; s++)
        {
            if (group.segmentLive(s))
            {
                oldest = Math.min(oldest, group.segRequest[s].arrivalNs);
            }
        }
        return oldest;
    }

    /**
     * The block of {@code expert}, whole (one part), was in flight to a node that vanished and no other
     * replica can take it. If every request of the group would rather be answered without it, has all
     * its rows in this group, and the other gates do not depend on it ({@code before_capacity}, or a
     * dropless checkpoint family; never a shared expert), the group goes on without that expert, as
     * capacity 0 for it would have routed it; otherwise the block waits for the expert's next home.
     * Returns whether it was dropped.
     */
    boolean dropLate(final GroupSlot group, final int expert)
    {
        // Dropping it here only would route this group without an expert that the requests' other
        // groups used: no single set of unavailable experts would reproduce their answers.
        final LayerGating gating = gatings[group.layer];
        if (!gating.dropsLateExactly() || expert >= gating.routedExperts() || !drops(group) ||
            !onlyGroupOfItsRequests(group))
        {
            return false;
        }
        metrics.routing.droppedLate(group.layer, expert, group.plan.slotCount(expert));
        group.plan.dropExpert(expert);
        group.skipped[expert] = true;
        for (int s = 0; s < group.segments; s++)
        {
            if (group.segmentLive(s))
            {
                group.segRequest[s].skip(expert, experts);
            }
        }
        group.received[expert * GroupSlot.PARTS] = true;
        if (--group.outstanding == 0)
        {
            pool.complete(group);
        }
        return true;
    }

    /**
     * Held part {@code unit} (not in flight: its resend waited for a location that a cut-off control
     * plane could not give) of an expert that now has no live home: dropped as a whole block in flight
     * would be ({@link #dropLate}), rather than left to wait for the expert's next home past the
     * requests' deadlines. Returns whether it was dropped.
     */
    boolean dropHeld(final GroupSlot group, final int unit)
    {
        final int expert = unit / GroupSlot.PARTS;
        if (group.parts[expert] != 1 || !routes.unreachable(group.layer, expert))
        {
            return false;
        }
        pool.unhold(group, unit);
        if (dropLate(group, expert))
        {
            return true;
        }
        pool.hold(group, unit);
        return false;
    }

    /**
     * The experts a group whose requests all chose drop is routed without, or null for none. A degraded
     * answer must equal {@code infer --local --unavailable-experts} for the experts it names, so every
     * group of a request leaves out the same experts: those unreachable when its first group was gated.
     * An expert lost later is waited for in its later groups, and one back since is still left out.
     */
    private boolean[] skipFor(final GroupSlot group)
    {
        boolean[] fixed = null;
        boolean agree = true;
        for (int s = 0; s < group.segments; s++)
        {
            if (group.segmentLive(s) && group.segRequest[s].skipFixed)
            {
                final boolean[] theirs = group.segRequest[s].fixedSkip;
                if (fixed == null)
                {
                    fixed = theirs;
                }
                else
                {
                    agree &= Arrays.equals(fixed, theirs);
                }
            }
        }
        boolean any = false;
        if (fixed != null && agree)
        {
            for (int e = 0; e < experts; e++)
            {
                unreachable[e] = fixed[e];
                any |= fixed[e];
            }
        }
        else
        {
            // Requests that fixed different sets share this group (rare): they are answered
            // expert-unavailable by PendingRequest rather than with an answer no set reproduces.
            any = routes.unreachable(group.layer, unreachable);
        }
        for (int s = 0; s < group.segments; s++)
        {
            if (group.segmentLive(s) && !group.segRequest[s].skipFixed)
            {
                group.segRequest[s].fixSkip(unreachable);
            }
        }
        return any ? unreachable : null;
    }

    /** Whether every request with rows in the group has all its rows in this group (its only group). */
    private static boolean onlyGroupOfItsRequests(final GroupSlot group)
    {
        for (int s = 0; s < group.segments; s++)
        {
            if (group.segmentLive(s))
            {
                final PendingRequest request = group.segRequest[s];
                if (request.groupsTouched != 1 || request.rowsAssigned != request.rows)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether every request with rows in the group would rather be answered without unreachable experts. */
    private boolean drops(final GroupSlot group)
    {
        for (int s = 0; s < group.segments; s++)
        {
            if (group.segmentLive(s))
            {
                final int choice = group.segRequest[s].onUnavailable;
                if (choice == RequestFrame.ON_UNAVAILABLE_WAIT ||
                    (choice == RequestFrame.ON_UNAVAILABLE_DEFAULT && !dropByDefault))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
