package dev.switchyard.transformer.serving;

/** A submitted sequence: cancelling it frees its place at the engine's next step boundary. */
public final class SequenceHandle
{
    private final long id;
    private final Runnable wake;
    private volatile boolean cancelled;

    SequenceHandle(final long id, final Runnable wake)
    {
        this.id = id;
        this.wake = wake;
    }

    /** The engine's number for this sequence, in order of submission. */
    public long id()
    {
        return id;
    }

    /** Ends the sequence with {@link End.Reason#CANCELLED} at the next step boundary, unless it ended before. */
    public void cancel()
    {
        cancelled = true;
        wake.run();
    }

    boolean cancelled()
    {
        return cancelled;
    }
}
