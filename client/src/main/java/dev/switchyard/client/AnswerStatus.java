package dev.switchyard.client;

import dev.switchyard.wire.sbe.BlockStatus;

/** How a request ended. Every request ends exactly once, with one of these. */
public enum AnswerStatus
{
    OK,
    /**
     * Computed without experts that could not be reached, as the request (or the gateway's default)
     * chose: the output is there and equals {@code infer --local --unavailable-experts} with the
     * experts the detail names.
     */
    DEGRADED,
    /** The gateway's queue was full: refused at once, try again later. */
    OVERLOADED,
    /** Not answered within its deadline. */
    TIMEOUT,
    /** The request itself is wrong (shape, size, non-finite values, unknown layer). */
    BAD_INPUT,
    /** An expert could not be reached or kept refusing its block. */
    EXPERT_UNAVAILABLE,
    /** The gateway is shutting down, or did not answer in time. */
    UNAVAILABLE,
    /**
     * The connection to the gateway was lost (its process or node gone): every request in flight
     * ends so, within the client's gateway timeout, and later ones at once.
     */
    GATEWAY_UNAVAILABLE,
    /** Something failed inside the system; the detail names it. */
    INTERNAL;

    public static AnswerStatus of(final BlockStatus status)
    {
        return switch (status)
        {
            case OK -> OK;
            case DEGRADED -> DEGRADED;
            case OVERLOADED -> OVERLOADED;
            case TIMEOUT -> TIMEOUT;
            case BAD_INPUT, BAD_SHAPE, UNKNOWN_LAYER, UNKNOWN_EXPERT, MALFORMED -> BAD_INPUT;
            case EXPERT_UNAVAILABLE, DRAINING -> EXPERT_UNAVAILABLE;
            case SHUTTING_DOWN -> UNAVAILABLE;
            default -> INTERNAL;
        };
    }
}
