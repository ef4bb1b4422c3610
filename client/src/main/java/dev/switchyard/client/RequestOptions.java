package dev.switchyard.client;

import java.time.Duration;

/**
 * Per-request choices.
 *
 * @param keepApart the request gets groups of its own, formed as {@code infer --local} forms them
 *                  (its output then equals the in-process path bit for bit); otherwise it shares
 *                  groups with other traffic, as the gateway forms them
 * @param layer     the MoE layer to run
 * @param deadline  answered TIMEOUT when not done by then; null for the gateway's default
 * @param onUnavailable what to do when one of the request's experts cannot be reached
 * @param caller    whose share of this client's place at the gateway the request counts against: a
 *                  client serving many callers (the HTTP API, one key per remote address) gives each
 *                  its own share; 0, the default, is the client's own
 */
public record RequestOptions(boolean keepApart, int layer, Duration deadline, OnUnavailable onUnavailable, int caller)
{
    /** When an expert cannot be reached (its node vanished): wait for it, or answer without it. */
    public enum OnUnavailable
    {
        /** The gateway's {@code switchyard.gateway.on-unavailable}. */
        DEFAULT,
        /** Wait until the expert is hosted again, or the deadline passes. */
        WAIT,
        /** Answer at once without it (capacity 0), as {@link AnswerStatus#DEGRADED} naming it. */
        DROP
    }

    public RequestOptions(final boolean keepApart, final int layer, final Duration deadline)
    {
        this(keepApart, layer, deadline, OnUnavailable.DEFAULT, 0);
    }

    public RequestOptions(
        final boolean keepApart, final int layer, final Duration deadline, final OnUnavailable onUnavailable)
    {
        this(keepApart, layer, deadline, onUnavailable, 0);
    }

    public static RequestOptions exact()
    {
        return new RequestOptions(true, 0, null);
    }

    public static RequestOptions shared()
    {
        return new RequestOptions(false, 0, null);
    }

    public RequestOptions withLayer(final int l)
    {
        return new RequestOptions(keepApart, l, deadline, onUnavailable, caller);
    }

    public RequestOptions withDeadline(final Duration d)
    {
        return new RequestOptions(keepApart, layer, d, onUnavailable, caller);
    }

    public RequestOptions withOnUnavailable(final OnUnavailable choice)
    {
        return new RequestOptions(keepApart, layer, deadline, choice, caller);
    }

    /** The same request, counted against {@code key}'s share of the client (0: the client's own). */
    public RequestOptions withCaller(final int key)
    {
        return new RequestOptions(keepApart, layer, deadline, onUnavailable, key);
    }
}
