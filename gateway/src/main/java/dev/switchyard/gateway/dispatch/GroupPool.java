package dev.switchyard.gateway.dispatch;

import java.util.ArrayDeque;

import dev.switchyard.gateway.gating.LayerGating;
import dev.switchyard.gateway.gating.StagedCombine;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.routing.tokens.TokenChecks;
import dev.switchyard.wire.sbe.BlockStatus;

/**
 * The fixed pool of group slots that bounds the groups in flight. Lends slots to the group former,
 * finds a slot by the group id a reply carries, and takes slots back, handing a group's outcome to
 * the requests whose rows it holds (a request whose finite inputs overflowed to non-finite outputs
 * fails as bad input, naming the token, rather than be answered with them). It also counts the blocks held for a route
 * over all groups, so that the sender scans for them only while there are some.
 */
final class GroupPool
{
    private final GroupSlot[] slots;
    private final int d;
    private final LayerGating[] gatings;  // [layers], or null: every reply is added as it arrives
    private final StagedCombine staged;   // or null
    private final ArrayDeque<GroupSlot> free = new ArrayDeque<>();
    private int heldBlocks;

    /** Groups of the seed's top-2 gating: two entries per token, replies added as they arrive. */
    GroupPool(final int size, final int groupSize, final int d, final int experts)
    {
        this(size, groupSize, d, experts, null);
    }

    /** @param gatings [layers] the gating of each layer: the plans' entries, and whether replies are staged */
    GroupPool(final int size, final int groupSize, final int d, final int experts, final LayerGating[] gatings)
    {
        this.slots = new GroupSlot[size];
        this.d = d;
        int entries = 2;
        boolean anyStaged = false;
        for (final LayerGating g : gatings == null ? new LayerGating[0] : gatings)
        {
            entries = Math.max(entries, g.entries());
            anyStaged |= g.stagedCombine();
        }
        this.gatings = anyStaged ? gatings : null;
        this.staged = anyStaged ? new StagedCombine(d, entries) : null;
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new GroupSlot(i, groupSize, d, experts, entries, anyStaged);
            free.addLast(slots[i]);
        }
    }

    /** Whether the replies of the group's layer are staged, to be added in a fixed order at completion. */
    boolean staged(final GroupSlot group)
    {
        return gatings != null && gatings[group.layer].stagedCombine();
    }

    /** A free slot, or null while every slot is in flight. */
    GroupSlot borrow()
    {
        return free.poll();
    }

    /** The slot a group id names, whatever group it holds now, or null if there is no such slot. */
    GroupSlot slotOf(final long groupId)
    {
        final int slot = (int)(groupId & ((1 << GroupSlot.SLOT_BITS) - 1));
        return slot < slots.length ? slots[slot] : null;
    }

    /** Every slot, free or not, for scans. */
    GroupSlot[] slots()
    {
        return slots;
    }

    /** Marks the block of {@code expert} as held for a route (once, however often it is called). */
    void hold(final GroupSlot group, final int expert)
    {
        if (!group.waiting[expert])
        {
            group.waiting[expert] = true;
            group.waitingCount++;
            heldBlocks++;
        }
    }

    void unhold(final GroupSlot group, final int expert)
    {
        group.waiting[expert] = false;
        group.waitingCount--;
        heldBlocks--;
    }

    int heldBlocks()
    {
        return heldBlocks;
    }

    /** Every expert's block is combined into the group's output: hands each request its rows. */
    void complete(final GroupSlot group)
    {
        final RoutingPlan plan = group.plan;
        if (staged(group))
        {
            final LayerGating gating = gatings[group.layer];
            staged.combine(plan, group.terms, gating.routedExperts(), gating.termScale(), group.y);
        }
        for (int s = 0; s < group.segments; s++)
        {
            if (group.segmentLive(s))
            {
                final PendingRequest request = group.segRequest[s];
                final int overflowed =
                    TokenChecks.firstNonFiniteRow(group.output, group.outputRow + group.segGroupRow[s],
                        group.segCount[s], d);
                if (overflowed >= 0)
                {
                    request.fail(BlockStatus.BAD_INPUT, TokenChecks.overflowDetail(
                        group.segRequestRow[s] + overflowed - group.outputRow - group.segGroupRow[s]));
                    continue;
                }
                request.recordGroup(group.segRequestGroup[s], plan.capacity(), plan.auxLoss());
                request.noteGroupSkips(group.skipped);
                // rows [segGroupRow, + segCount) of y [G, d] become rows [segRequestRow, ...) of the request's
                request.accept(group.output, plan, group.outputRow, group.segGroupRow[s], group.segRequestRow[s],
                    group.segCount[s]);
            }
        }
        release(group);
    }

    /** The group cannot be completed: every request with rows in it fails. */
    void fail(final GroupSlot group, final BlockStatus status, final String detail)
    {
        for (int s = 0; s < group.segments; s++)
        {
            if (group.segmentLive(s))
            {
                group.segRequest[s].fail(status, detail);
            }
        }
        release(group);
    }

    void release(final GroupSlot group)
    {
        heldBlocks -= group.waitingCount;
        group.waitingCount = 0;
        group.release();
        // Last in, first out: light traffic keeps reusing the few slots whose buffers have grown (and are cached).
        free.push(group);
    }

    /** Takes back the dispatched groups no request waits for any more (all answered, e.g. timed out). */
    int releaseAbandoned()
    {
        int work = 0;
        for (final GroupSlot group : slots)
        {
            if (group.inUse && !group.open && group.abandoned())
            {
                release(group);
                work++;
            }
        }
        return work;
    }
}
