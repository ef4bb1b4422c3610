package dev.switchyard.gateway.dispatch;

/**
 * How a gateway forms groups and protects itself.
 *
 * @param clientPort          UDP port clients connect to (0: any free port)
 * @param maxWaitMicros       a shared group closes this long after its first token, full or not
 * @param groupPerRequest     every request gets its own groups (as {@code infer --local} forms them)
 * @param maxQueuedRequests   whole requests admitted and not yet answered; more are refused as overloaded
 * @param maxQueuedTokens     tokens of those requests, their messages still to come included; more
 *                            are refused as overloaded
 * @param maxGroupsInFlight   groups between formation and combine
 * @param deadlineMicros      a request's deadline when it names none
 * @param maxDispatchAttempts sends of one block (a moving expert answers DRAINING) before giving up
 * @param blockResendMillis   a block unanswered this long is sent again, to wherever its expert is now
 */
public record GatewaySettings(
    int clientPort,
    long maxWaitMicros,
    boolean groupPerRequest,
    int maxQueuedRequests,
    int maxQueuedTokens,
    int maxGroupsInFlight,
    long deadlineMicros,
    int maxDispatchAttempts,
    long blockResendMillis)
{
    public static GatewaySettings defaults()
    {
        return new GatewaySettings(0, 200, false, 1024, 1 << 20, 64, 10_000_000, 20, 2000);
    }

    public GatewaySettings withClientPort(final int port)
    {
        return new GatewaySettings(port, maxWaitMicros, groupPerRequest, maxQueuedRequests, maxQueuedTokens,
            maxGroupsInFlight, deadlineMicros, maxDispatchAttempts, blockResendMillis);
    }

    public GatewaySettings withQueue(final int requests, final int tokens)
    {
        return new GatewaySettings(clientPort, maxWaitMicros, groupPerRequest, requests, tokens,
            maxGroupsInFlight, deadlineMicros, maxDispatchAttempts, blockResendMillis);
    }

    public GatewaySettings withGrouping(final long maxWait, final boolean perRequest)
    {
        return new GatewaySettings(clientPort, maxWait, perRequest, maxQueuedRequests, maxQueuedTokens,
            maxGroupsInFlight, deadlineMicros, maxDispatchAttempts, blockResendMillis);
    }

    public GatewaySettings withDeadlineMicros(final long micros)
    {
        return new GatewaySettings(clientPort, maxWaitMicros, groupPerRequest, maxQueuedRequests, maxQueuedTokens,
            maxGroupsInFlight, micros, maxDispatchAttempts, blockResendMillis);
    }
}
