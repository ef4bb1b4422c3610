package dev.switchyard.gateway.dispatch;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Long2LongHashMap;

/**
 * Puts admitted tokens into groups, fairly across clients and in arrival order within each client
 * (see {@link #fill}). Requests of a layer share one open group,
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
    private final GroupSink dispatcher;
    private final GroupSlot[] openShared;  // [layers]
    private final long[] sharedOrdinal;    // [layers]
    private long groupSequence = 1;
    /** Rows each client has placed in the current round, [client] -> rows. */
    private final Long2LongHashMap placed = new Long2LongHashMap(0);
    private final int quantum;

    GroupFormer(
        final int layers,
        final int groupSize,
        final int d,
        final GatewaySettings settings,
        final RequestQueue requests,
        final GroupPool pool,
        final GroupSink dispatcher)
    {
        this.groupSize = groupSize;
        this.d = d;
        this.maxWaitNs = TimeUnit.MICROSECONDS.toNanos(settings.maxWaitMicros());
        this.requests = requests;
        this.pool = pool;
        this.dispatcher = dispatcher;
        this.openShared = new GroupSlot[layers];
        this.sharedOrdinal = new long[layers];
        this.quantum = groupSize;
    }

    /**
     * Assigns the tokens not yet in a group, while slots are free, fairly across clients; dispatches
     * the groups that fill. Clients take turns by rows (deficit round robin): in a round each client
     * may place up to {@link #quantum} rows, its requests in arrival order, and a round ends when
     * every client with rows left has had its share. Rounds carry over from pass to pass, so a client
     * that got the last free slot waits for the others' turns before it gets the next one, however
     * many requests it queued first.
     */
    int fill(final long nowNs)
    {
        int work = 0;
        while (true)
        {
            boolean someoneWaits = false;
            boolean noSlot = false;
            for (int i = 0; i < requests.size(); i++)
            {
                final PendingRequest request = requests.get(i);
                if (request.done || request.rowsAssigned == request.rows)
                {
                    continue;
                }
                final long used = placed.get(request.clientId);
                if (used >= quantum)
                {
                    someoneWaits = true;  // had its turn this round
                    continue;
                }
                final int n = assign(request, (int)Math.min(quantum - used, request.rows - request.rowsAssigned),
                    nowNs);
                if (n > 0)
                {
                    placed.put(request.clientId, used + n);
                    work++;
                }
                if (request.rowsAssigned < request.rows && used + n < quantum)
                {
                    // No group slot free: its turn goes on in a later pass. The others still take
                    // theirs where they need no new slot (an open group of their own to fill).
                    noSlot = true;
                }
            }
            if (noSlot)
            {
                return work;
            }
            placed.clear();  // every client with rows left has had its turn: a new round
            if (!someoneWaits)
            {
                return work;
            }
        }
    }

    /**
     * Places up to {@code maxRows} of the request's next rows into groups (its own, or its layer's
     * shared one), dispatching the groups that fill; stops early when no group slot is free.
     *
     * @return rows placed
     */
    private int assign(final PendingRequest request, final int maxRows, final long nowNs)
    {
        int placedRows = 0;
        while (placedRows < maxRows)
        {
            GroupSlot group = request.keepApart ? request.openGroup : openShared[request.layer];
            if (group == null)
            {
                group = pool.borrow();
                if (group == null)
                {
                    return placedRows;
                }
                group.open(groupSequence++, request.layer, request.keepApart, nowNs);
                group.ordinal = request.keepApart ?
                    request.groupOrdinalBase + request.groupsTouched : sharedOrdinal[request.layer]++;
                if (request.keepApart)
                {
                    request.openGroup = group;
                    group.useRowsOf(request, request.rowsAssigned, !pool.staged(group));
                }
                else
                {
                    openShared[request.layer] = group;
                }
            }
            final int n = Math.min(groupSize - group.tokens, maxRows - placedRows);
            if (!group.keepApart)
            {
                group.reserveRows(group.tokens + n);
                // request rows [rowsAssigned, + n) of x [rows, d] -> group rows [tokens, + n) of x [G, d]
                System.arraycopy(request.x, request.rowsAssigned * d, group.x, group.tokens * d, n * d);
            }
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
            placedRows += n;
            if (group.tokens == groupSize || (group.keepApart && request.rowsAssigned == request.rows))
            {
                close(group);
            }
            if (request.done)
            {
                return placedRows;  // a group it closed failed at once: nothing more of it is placed
            }
        }
        return placedRows;
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
