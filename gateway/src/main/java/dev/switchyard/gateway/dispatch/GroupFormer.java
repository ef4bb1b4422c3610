package dev.switchyard.gateway.dispatch;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Puts admitted tokens into groups, in arrival order. Requests of a layer share one open group,
 * dispatched when full or when its first token has waited {@link GatewaySettings#maxWaitMicros()};
 * a request kept apart fills groups of its own, the last dispatched with its last token. A group's
 * ordinal seeds the {@code random} second-choice policy: shared groups count per layer, groups kept
 * apart count from the base their request names, so that a request its client split draws as it
 * would in one piece.
 */
final class GroupFormer
{
    private final int groupSize;
    private final int d;
    private final long maxWaitNs;
    private final RequestQueue requests;
    private final GroupPool pool;
    private final GroupDispatcher dispatcher;
    private final GroupSlot[] openShared;  // [layers]
    private final long[] sharedOrdinal;    // [layers]
    private long groupSequence = 1;

    GroupFormer(
        final int layers,
        final int groupSize,
        final int d,
        final GatewaySettings settings,
        final RequestQueue requests,
        final GroupPool pool,
        final GroupDispatcher dispatcher)
    {
        this.groupSize = groupSize;
        this.d = d;
        this.maxWaitNs = TimeUnit.MICROSECONDS.toNanos(settings.maxWaitMicros());
        this.requests = requests;
        this.pool = pool;
        this.dispatcher = dispatcher;
        this.openShared = new GroupSlot[layers];
        this.sharedOrdinal = new long[layers];
    }

    /** Assigns the tokens not yet in a group, while slots are free; dispatches the groups that fill. */
    int fill(final long nowNs)
    {
        int work = 0;
        for (int i = 0; i < requests.size(); i++)
        {
            final PendingRequest request = requests.get(i);
            while (!request.done && request.rowsAssigned < request.rows)
            {
                GroupSlot group = request.keepApart ? request.openGroup : openShared[request.layer];
                if (group == null)
                {
                    group = pool.borrow();
                    if (group == null)
                    {
                        return work;
                    }
                    group.open(groupSequence++, request.layer, request.keepApart, nowNs);
                    group.ordinal = request.keepApart ?
                        request.groupOrdinalBase + request.groupsTouched : sharedOrdinal[request.layer]++;
                    if (request.keepApart)
                    {
                        request.openGroup = group;
                    }
                    else
                    {
                        openShared[request.layer] = group;
                    }
                }
                final int n = Math.min(groupSize - group.tokens, request.rows - request.rowsAssigned);
                // request rows [rowsAssigned, + n) of x [rows, d] -> group rows [tokens, + n) of x [G, d]
                System.arraycopy(request.x, request.rowsAssigned * d, group.x, group.tokens * d, n * d);
                if (request.hasImportance)
                {
                    System.arraycopy(request.importance, request.rowsAssigned, group.importance, group.tokens, n);
                    group.anyImportance = true;
                }
                else
                {
                    Arrays.fill(group.importance, group.tokens, group.tokens + n, 1.0f);
                }
                group.addSegment(request, request.rowsAssigned, n, request.touchGroup());
                request.rowsAssigned += n;
                work++;
                if (group.tokens == groupSize || (group.keepApart && request.rowsAssigned == request.rows))
                {
                    close(group);
                }
            }
        }
        return work;
    }

    /** Dispatches the shared groups whose first token has waited long enough, full or not. */
    int closeDue(final long nowNs)
    {
        int work = 0;
        for (int l = 0; l < openShared.length; l++)
        {
            final GroupSlot group = openShared[l];
            if (group != null && nowNs - group.openedNs >= maxWaitNs)
            {
                close(group);
                work++;
            }
        }
        return work;
    }

    private void close(final GroupSlot group)
    {
        group.open = false;
        if (group.keepApart)
        {
            group.segRequest[0].openGroup = null;
        }
        else if (openShared[group.layer] == group)
        {
            openShared[group.layer] = null;
        }
        dispatcher.dispatch(group);
    }
}
