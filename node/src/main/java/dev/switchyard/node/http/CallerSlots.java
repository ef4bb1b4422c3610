package dev.switchyard.node.http;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The inference requests in progress, in all and per remote address: past either limit a request
 * is refused (429), so one caller cannot hold every slot of the node while others wait.
 */
final class CallerSlots
{
    private final int max;
    private final int perCaller;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> byCaller = new ConcurrentHashMap<>();

    CallerSlots(final int max, final int perCaller)
    {
        this.max = max;
        this.perCaller = perCaller;
    }

    /** Takes a slot of the caller, to {@link #release} once answered; throws the 429 when none is free. */
    void acquire(final InetAddress caller)
    {
        final boolean[] taken = new boolean[1];
        byCaller.compute(caller, (address, n) ->
        {
            final int now = n == null ? 0 : n;
            taken[0] = now < perCaller;
            return taken[0] ? now + 1 : n;
        });
        if (!taken[0])
        {
            throw ApiError.overloaded(perCaller + " requests of this caller (" + caller.getHostAddress() +
                ") are in progress, as many as one caller may have (switchyard.http.max-concurrent-per-caller); " +
                "try again shortly");
        }
        if (total.incrementAndGet() > max)
        {
            release(caller);
            throw ApiError.overloaded(max + " requests are in progress; try again shortly");
        }
    }

    void release(final InetAddress caller)
    {
        total.decrementAndGet();
        byCaller.computeIfPresent(caller, (address, n) -> n <= 1 ? null : n - 1);
    }
}
