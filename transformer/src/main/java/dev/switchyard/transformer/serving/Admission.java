package dev.switchyard.transformer.serving;

/** What {@link ServingEngine#submit} did with a request. */
public sealed interface Admission
{
    /** Running or waiting for room; the handle cancels it. */
    record Accepted(SequenceHandle handle) implements Admission
    {
    }

    /** Refused: the running batch and the queue are full. Nothing will reach the listener. */
    record Overloaded(String reason) implements Admission
    {
    }
}
