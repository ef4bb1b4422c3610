package dev.switchyard.gateway.dispatch;

import java.util.ArrayDeque;

import org.agrona.collections.Long2LongHashMap;

/**
 * Admitted messages in arrival order, which is the order each client's are answered in, and the
 * pool their objects return to once answered. Each message belongs to a {@link WholeRequest}
 * admitted by {@link Admission}, whose tokens it gives back when it leaves.
 * <p>
 * Arrivals are a ring read by index: the duty cycle walks them every turn, and an iterator there
 * would be garbage on every turn.
 * <p>
 * The messages of each client waiting here are counted, so that its stream is read no faster
 * than it takes its answers ({@link ClientIntake#fragmentsAllowed}).
 */
final class RequestQueue
{
    private PendingRequest[] arrivals = new PendingRequest[64];
    private int head;
    private int count;
    private final ArrayDeque<PendingRequest> pool = new ArrayDeque<>();
    private final Admission admission;
    private final Long2LongHashMap clientMessages = new Long2LongHashMap(0);

    RequestQueue(final Admission admission)
    {
        this.admission = admission;
    }

    /** Messages of {@code clientId} admitted and not yet answered. */
    long clientMessages(final long clientId)
    {
        return clientMessages.get(clientId);
    }

    int size()
    {
        return count;
    }

    /** The {@code i}-th request waiting, the oldest being 0. */
    PendingRequest get(final int i)
    {
        return arrivals[(head + i) & (arrivals.length - 1)];
    }

    /** A request object to fill, from the pool where one is free. */
    PendingRequest take()
    {
        return pool.isEmpty() ? new PendingRequest() : pool.poll();
    }

    /** Returns a request object that was taken but not admitted, or that has been answered. */
    void recycle(final PendingRequest request)
    {
        pool.add(request);
    }

    void admit(final PendingRequest request)
    {
        if (count == arrivals.length)
        {
            // Bounded by the tokens admitted; a power of two, so that indices wrap with a mask.
            final PendingRequest[] larger = new PendingRequest[arrivals.length * 2];
            for (int i = 0; i < count; i++)
            {
                larger[i] = get(i);
            }
            arrivals = larger;
            head = 0;
        }
        arrivals[(head + count) & (arrivals.length - 1)] = request;
        count++;
        clientMessages.put(request.clientId, clientMessages.get(request.clientId) + 1);
    }

    /** Decides, request by request in arrival order, which leave the queue. */
    interface Leaving
    {
        /** Whether {@code request} leaves now (it has been answered); called once per request per sweep. */
        boolean leaves(PendingRequest request);
    }

    /**
     * Walks the queue in arrival order and takes out the requests {@code leaving} lets go, keeping
     * the others in their order (compacted in place: nothing is allocated).
     *
     * @return requests taken out
     */
    int sweep(final Leaving leaving)
    {
        final int mask = arrivals.length - 1;
        int kept = 0;
        final int n = count;
        for (int i = 0; i < n; i++)
        {
            final PendingRequest request = arrivals[(head + i) & mask];
            if (leaving.leaves(request))
            {
                admission.release(request.whole, request.rows);
                request.whole = null;
                release(clientMessages, request.clientId, 1);
            }
            else
            {
                arrivals[(head + kept++) & mask] = request;
            }
        }
        for (int i = kept; i < n; i++)
        {
            arrivals[(head + i) & mask] = null;
        }
        count = kept;
        return n - kept;
    }

    private static void release(final Long2LongHashMap counts, final long clientId, final int amount)
    {
        final long left = counts.get(clientId) - amount;
        if (left <= 0)
        {
            counts.remove(clientId);  // a client with nothing queued holds no entry
        }
        else
        {
            counts.put(clientId, left);
        }
    }
}
