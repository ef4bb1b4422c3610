package dev.switchyard.tools.lmload;

import java.util.Locale;

import dev.switchyard.wire.BadInputException;

/**
 * The latency objective of goodput: a request meets it when it ended OK, its first token came within
 * {@code ttftMs} of its intended send time, and its mean gap between tokens (time per output token) is at most
 * {@code itlMs}. An objective not given is infinite.
 */
public record Slo(double ttftMs, double itlMs)
{
    public Slo
    {
        if (!(ttftMs > 0) || !(itlMs > 0))
        {
            throw new BadInputException("--slo-ttft and --slo-itl must be positive numbers of ms (got " + ttftMs +
                ", " + itlMs + ")");
        }
    }

    boolean met(final long ttftNs, final double meanItlNs)
    {
        return ttftNs / 1e6 <= ttftMs && meanItlNs / 1e6 <= itlMs;
    }

    public String describe()
    {
        return "TTFT " + bound(ttftMs) + ", ITL " + bound(itlMs);
    }

    private static String bound(final double ms)
    {
        return Double.isInfinite(ms) ? "any" : String.format(Locale.ROOT, "<= %s ms", ms);
    }
}
