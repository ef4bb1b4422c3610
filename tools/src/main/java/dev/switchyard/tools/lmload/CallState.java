package dev.switchyard.tools.lmload;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request in flight: when it was meant to leave, the tokens that came and when, and whether it has ended.
 * Written by its own thread; {@link #end} lets exactly one ending count (the request's, or the run's when it stops
 * waiting).
 */
public final class CallState
{
    private final long intendedNs;
    private final AtomicBoolean ended = new AtomicBoolean();
    private long firstNs = -1;
    private long lastNs = -1;
    private int events;
    private int tokens;
    private int reportedTokens;
    private String finishReason;

    CallState(final long intendedNs)
    {
        this.intendedNs = intendedNs;
    }

    /** Records an event of {@code n} tokens at {@code nowNs}; returns the gap since the last one, -1 for the first. */
    long tokens(final int n, final long nowNs)
    {
        final long gap = lastNs < 0 ? -1 : nowNs - lastNs;
        if (firstNs < 0)
        {
            firstNs = nowNs;
        }
        lastNs = nowNs;
        events++;
        tokens += n;
        return gap;
    }

    /** Whether this call is the one that ends the request (false once it has ended). */
    boolean end()
    {
        return ended.compareAndSet(false, true);
    }

    long intendedNs()
    {
        return intendedNs;
    }

    int tokens()
    {
        return tokens;
    }

    /** The server's usage.completion_tokens, 0 when it sent none. */
    int reportedTokens()
    {
        return reportedTokens;
    }

    void reportedTokens(final int n)
    {
        reportedTokens = n;
    }

    String finishReason()
    {
        return finishReason;
    }

    void finishReason(final String reason)
    {
        finishReason = reason;
    }

    long ttftNs()
    {
        return firstNs - intendedNs;
    }

    /** The mean gap between token events (time per output token), 0 with fewer than two. */
    double meanItlNs()
    {
        return events < 2 ? 0 : (double)(lastNs - firstNs) / (events - 1);
    }
}
