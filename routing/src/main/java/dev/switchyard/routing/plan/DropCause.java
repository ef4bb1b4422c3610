package dev.switchyard.routing.plan;

/**
 * Why a token's first or second choice of an expert did not reach it. Every assignment of a token
 * (two per token in top-2) is either kept or dropped for exactly one of these causes.
 */
public enum DropCause
{
    /** A first choice past the expert's capacity. */
    FIRST_CAPACITY("first_capacity"),
    /** A second choice past the expert's capacity (after every kept first choice). */
    SECOND_CAPACITY("second_capacity"),
    /** A second choice removed by the {@code none}, {@code threshold} or {@code random} policy. */
    SECOND_POLICY("second_policy"),
    /** A choice masked by the token's importance (or the older variant's max_experts). */
    IMPORTANCE("importance"),
    /** A choice of an expert that could not be reached (a degraded answer: capacity 0 for it). */
    UNAVAILABLE("unavailable");

    private static final DropCause[] VALUES = values();

    private final String label;

    DropCause(final String label)
    {
        this.label = label;
    }

    /** The cause as a metric label. */
    public String label()
    {
        return label;
    }

    /** Every cause, in ordinal order; shared, never to be modified. */
    public static DropCause[] all()
    {
        return VALUES;
    }
}
