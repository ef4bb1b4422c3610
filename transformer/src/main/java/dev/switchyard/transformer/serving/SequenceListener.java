package dev.switchyard.transformer.serving;

/**
 * Receives one sequence's ids as they are chosen, then its end, on the engine's thread: implementations must
 * return quickly (hand the event to another thread), since every running sequence waits for them.
 */
public interface SequenceListener
{
    void token(Token token);

    void end(End end);
}
