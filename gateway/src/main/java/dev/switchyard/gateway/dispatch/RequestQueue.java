package dev.switchyard.gateway.dispatch;

import java.util.ArrayDeque;

/**
 * Admitted requests in arrival order, which is the order they are answered in, with the tokens
 * they hold (admission bounds both) and the pool their objects return to once answered.
 * <p>
 * Arrivals are a ring read by index: the duty cycle walks them every turn, and an iterator there
 * would be garbage on every turn.
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

    RequestQueue(final GatewaySettings settings)
    {
        this.maxRequests = settings.maxQueuedRequests();
        this.maxTokens = settings.maxQueuedTokens();
    }

    boolean hasRoomFor(final int rows)
    {
        return count < maxRequests && tokens + rows <= maxTokens;
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
        return request;
    }
}
