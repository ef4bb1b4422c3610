package dev.switchyard.transformer.serving;

/** What a {@link ServingEngine} reports as it runs (for metrics), on its own threads; must return quickly. */
public interface EngineObserver
{
    /** Reports nothing. */
    EngineObserver NONE = new EngineObserver()
    {
    };

    /** A request got room after waiting {@code nanos} since it was submitted. */
    default void admitted(final long nanos)
    {
    }

    /** A request's first id was chosen {@code nanos} after it was submitted. */
    default void firstToken(final long nanos)
    {
    }

    /** A decode step chose one id for each of {@code rows} sequences in {@code nanos} (the inter-token time). */
    default void step(final int rows, final long nanos)
    {
    }

    /** A sequence ended (before its room is freed and its listener hears). */
    default void ended(final End.Reason reason)
    {
    }

    /** Sequences running after a step. */
    default void running(final int sequences)
    {
    }
}
