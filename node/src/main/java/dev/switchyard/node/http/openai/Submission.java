package dev.switchyard.node.http.openai;

/** What {@link LanguageModel#submit} did. */
public sealed interface Submission
{
    /** Running or queued: {@code cancel} ends it at the engine's next step. */
    record Accepted(Runnable cancel) implements Submission
    {
    }

    /** Refused: the engine's batch and queue are full (429). No event follows. */
    record Overloaded(String reason) implements Submission
    {
    }
}
