package dev.switchyard.cli;

import java.util.Locale;

import dev.switchyard.wire.BadInputException;

/**
 * Work sized by flags or input files is checked against the heap this JVM may still use before any of
 * it starts, so that a size too large is one line naming it instead of an OutOfMemoryError later.
 * Estimates are in doubles: the products of large flags overflow a long before they are refused.
 */
final class MemoryBudget
{
    /** The most elements one Java array holds. */
    static final double MAX_ARRAY = Integer.MAX_VALUE - 8;

    private MemoryBudget()
    {
    }

    /** Bytes of heap this JVM can still allocate: its -Xmx less what is in use now. */
    static long available()
    {
        final Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    /**
     * Refuses work that needs more than the heap left, or an array beyond what Java can allocate.
     *
     * @param what           the flags or input that size the work, as the user wrote them ("--beam-size 4")
     * @param shape          how they combine, in words ("1 row × 4 beams × 64 positions")
     * @param bytes          the work's estimated heap need
     * @param largestElement its largest single array, in elements
     */
    static void require(final String what, final String shape, final double bytes, final double largestElement)
    {
        if (largestElement > MAX_ARRAY)
        {
            throw new BadInputException(what + " is too large: " + shape + " needs an array of " +
                String.format(Locale.ROOT, "%.3g", largestElement) + " elements, beyond Java's " + (long)MAX_ARRAY);
        }
        final long free = available();
        if (bytes > free)
        {
            throw new BadInputException(what + " needs about " + bytesText(bytes) + " of memory (" + shape +
                "); this JVM can use " + bytesText(free) + ": lower it, or raise -Xmx in SWITCHYARD_OPTS");
        }
    }

    /** A byte count as "1.5 GB". */
    static String bytesText(final double bytes)
    {
        final String[] units = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1)
        {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
