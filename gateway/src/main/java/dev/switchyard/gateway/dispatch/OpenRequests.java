package dev.switchyard.gateway.dispatch;

import java.util.ArrayList;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The requests still expecting messages, found by (client, first request id) when a later message
 * comes, and walked by index when deadlines are checked. Nothing is allocated per request: each
 * request links to the next of the same first id (clients number their requests alike).
 */
final class OpenRequests
{
    private final Long2ObjectHashMap<WholeRequest> byFirstId = new Long2ObjectHashMap<>();
    private final ArrayList<WholeRequest> all = new ArrayList<>();

    /** The open request of {@code clientId} whose first message was {@code firstRequestId}, or null. */
    WholeRequest find(final long clientId, final long firstRequestId)
    {
        WholeRequest w = byFirstId.get(firstRequestId);
        while (w != null && w.clientId != clientId)
        {
            w = w.next;
        }
        return w;
    }

    void add(final WholeRequest w)
    {
        w.open = true;
        w.next = byFirstId.get(w.firstRequestId);
        byFirstId.put(w.firstRequestId, w);
        w.openIndex = all.size();
        all.add(w);
    }

    void remove(final WholeRequest w)
    {
        w.open = false;
        WholeRequest head = byFirstId.get(w.firstRequestId);
        if (head == w)
        {
            if (w.next == null)
            {
                byFirstId.remove(w.firstRequestId);
            }
            else
            {
                byFirstId.put(w.firstRequestId, w.next);
            }
        }
        else
        {
            while (head.next != w)
            {
                head = head.next;
            }
            head.next = w.next;
        }
        w.next = null;
        final WholeRequest last = all.removeLast();
        if (last != w)
        {
            all.set(w.openIndex, last);
            last.openIndex = w.openIndex;
        }
        w.openIndex = -1;
    }

    int size()
    {
        return all.size();
    }

    /** The {@code i}-th open request, in no particular order. */
    WholeRequest get(final int i)
    {
        return all.get(i);
    }
}
