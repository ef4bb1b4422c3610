package dev.switchyard.node.http.openai;

import java.util.List;

/**
 * The answer's text under its stop strings: the text ends before the first stop string met (not included).
 * While streaming, the last (longest stop − 1) characters are held back, since they may begin a stop string
 * that the next piece completes.
 */
final class StopText
{
    private final List<String> stops;
    private final int hold;
    private final StringBuilder text = new StringBuilder();
    private int released;
    private boolean stopped;

    StopText(final List<String> stops)
    {
        this.stops = stops;
        this.hold = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
    }

    /** Adds a piece; returns the text now safe to send. */
    String add(final String piece)
    {
        if (stopped)
        {
            return "";
        }
        final int from = Math.max(0, text.length() - hold);
        text.append(piece);
        int cut = -1;
        for (final String s : stops)
        {
            final int at = text.indexOf(s, from);
            if (at >= 0 && (cut < 0 || at < cut))
            {
                cut = at;
            }
        }
        if (cut >= 0)
        {
            text.setLength(cut);
            stopped = true;
            return release(cut);
        }
        int upTo = text.length() - hold;
        if (upTo > 0 && upTo < text.length() && Character.isHighSurrogate(text.charAt(upTo - 1)))
        {
            upTo--; // never split a character's surrogate pair between two pieces
        }
        return release(upTo);
    }

    /** The text held back, at the end. */
    String finish()
    {
        return release(text.length());
    }

    boolean stopped()
    {
        return stopped;
    }

    /** Characters released so far: the offset of the next piece in the answer's text. */
    int released()
    {
        return released;
    }

    private String release(final int upTo)
    {
        if (upTo <= released)
        {
            return "";
        }
        final String out = text.substring(released, upTo);
        released = upTo;
        return out;
    }
}
