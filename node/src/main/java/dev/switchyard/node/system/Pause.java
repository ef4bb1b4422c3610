package dev.switchyard.node.system;

/** A pause in a node's shutdown, for the parts still answering to finish. */
final class Pause
{
    private Pause()
    {
    }

    /** Sleeps {@code millis}; an interrupt ends it early and stays set for the caller. */
    static void quietly(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
