package dev.switchyard.gateway.dispatch;

import java.util.ArrayDeque;

import org.agrona.collections.Long2LongHashMap;

/**
 * Admitted requests in arrival order, which is the order each client's are answered in, with the
 * tokens they hold (admission bounds both) and the pool their objects return to once answered.
 * <p>
 * Arrivals are a ring read by index: the duty cycle walks them every turn, and an iterator there
 * would be garbage on every turn.
 * <p>
 * Each client also has its own share: requests and tokens of one client admitted and not yet
 * answered are bounded by the {@link ClientPolicy}, so that a client sending large requests fills
 * its share, not the queue, and every other client still gets in.
 */
final class RequestQueue
{
    private PendingRequest[] arrivals = new PendingRequest[64];
    private int head;
    private int count;
    private final ArrayDeque<PendingRequest> pool = new ArrayDeque<>();
    private final int maxRequests;
    private final int maxTokens;
    private int tokens;
    private final int maxClientRequests;
    private final int maxClientTokens;
    private final Long2LongHashMap clientRequests = new Long2LongHashMap(0);
    private final Long2LongHashMap clientTokens = new Long2LongHashMap(0);

    RequestQueue(final GatewaySettings settings, final ClientPolicy policy)
    {
        this.maxRequests = settings.maxQueuedRequests();
        this.maxTokens = settings.maxQueuedTokens();
        this.maxClientRequests = policy.maxRequestsPerClient();
        this.maxClientTokens = policy.maxTokensPerClient();
    }

    boolean hasRoomFor(final int rows)
    {
        return count < maxRequests && tokens + rows <= maxTokens;
    }

    /**
     * Whether {@code clientId} may have {@code rows} more tokens admitted within its own share; its
     * {@code answersHeld} (answered, not yet taken by it) still count against its requests.
     */
    boolean clientHasRoomFor(final long clientId, final int rows, final int answersHeld)
    {
        return clientRequests.get(clientId) + answersHeld < maxClientRequests &&
            clientTokens.get(clientId) + rows <= maxClientTokens;
    }

    long clientRequests(final long clientId)
    {
        return clientRequests.get(clientId);
    }

    long clientTokens(final long clientId)
    {
        return clientTokens.get(clientId);
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

    int tokens()
    {
        return tokens;
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
            // Grows to the admission bound at most; a power of two, so that indices wrap with a mask.
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
        tokens += request.rows;
        clientRequests.put(request.clientId, clientRequests.get(request.clientId) + 1);
        clientTokens.put(request.clientId, clientTokens.get(request.clientId) + request.rows);
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
                tokens -= request.rows;
                release(clientRequests, request.clientId, 1);
                release(clientTokens, request.clientId, request.rows);
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
