package dev.switchyard.gateway.dispatch;

import java.util.ArrayDeque;

import org.agrona.collections.Long2LongHashMap;

/**
 * Admitted requests in arrival order, which is the order they are answered in, with the tokens
 * they hold (admission bounds both) and the pool their objects return to once answered.
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

    /** The request to be answered next, or null when none waits. */
    PendingRequest oldest()
    {
        return count == 0 ? null : arrivals[head];
    }

    PendingRequest removeOldest()
    {
        final PendingRequest request = arrivals[head];
        arrivals[head] = null;
        head = (head + 1) & (arrivals.length - 1);
        count--;
        tokens -= request.rows;
        release(clientRequests, request.clientId, 1);
        release(clientTokens, request.clientId, request.rows);
        return request;
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
