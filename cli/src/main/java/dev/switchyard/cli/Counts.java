package dev.switchyard.cli;

/** Counts in the command summaries: "1 group", "2 groups". */
final class Counts
{
    private Counts()
    {
    }

    /** {@code n} and {@code noun}, the noun plural (an added "s") unless {@code n} is 1. */
    static String of(final long n, final String noun)
    {
        return n + " " + (n == 1 ? noun : noun + "s");
    }
}
