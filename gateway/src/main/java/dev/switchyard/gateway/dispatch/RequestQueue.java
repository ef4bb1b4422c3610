package dev.switchyard.gateway.dispatch;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Admitted requests in arrival order, which is the order they are answered in, with the tokens
 * they hold (admission bounds both) and the pool their objects return to once answered.
 */
final class RequestQueue implements Iterable<PendingRequest>
{
    private final ArrayDeque<PendingRequest> arrivals = new ArrayDeque<>();
    private final ArrayDeque<PendingRequest> pool = new ArrayDeque<>();
    private final int maxRequests;
    private final int maxTokens;
    private int tokens;

    RequestQueue(final GatewaySettings settings)
    {
        this.maxRequests = settings.maxQueuedRequests();
        this.maxTokens = settings.maxQueuedTokens();
    }

    boolean hasRoomFor(final int rows)
    {
        return arrivals.size() < maxRequests && tokens + rows <= maxTokens;
    }

    int size()
    {
        return arrivals.size();
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
        arrivals.add(request);
        tokens += request.rows;
    }

    /** The request to be answered next, or null when none waits. */
    PendingRequest oldest()
    {
        return arrivals.peek();
    }

    PendingRequest removeOldest()
    {
        final PendingRequest request = arrivals.poll();
        tokens -= request.rows;
        return request;
    }

    @Override
    public Iterator<PendingRequest> iterator()
    {
        return arrivals.iterator();
    }
}
