package dev.switchyard.transformer.decode;

/** Sees each id as soon as it is decided. */
@FunctionalInterface
public interface StepListener
{
    /** Row {@code row}'s id at {@code position} (the last one of a row is EOS, or at the last position). */
    void onToken(int row, int position, int id);

    StepListener NONE = (row, position, id) -> { };
}
