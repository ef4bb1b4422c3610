package dev.switchyard.gateway.client;

import java.time.Duration;

/**
 * Per-request choices.
 *
 * @param keepApart the request gets groups of its own, formed as {@code infer --local} forms them
 *                  (its output then equals the in-process path bit for bit); otherwise it shares
 *                  groups with other traffic, as the gateway forms them
 * @param layer     the MoE layer to run
 * @param deadline  answered TIMEOUT when not done by then; null for the gateway's default
 */
public record RequestOptions(boolean keepApart, int layer, Duration deadline)
{
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
        return new RequestOptions(keepApart, l, deadline);
    }

    public RequestOptions withDeadline(final Duration d)
    {
        return new RequestOptions(keepApart, layer, d);
    }
}
