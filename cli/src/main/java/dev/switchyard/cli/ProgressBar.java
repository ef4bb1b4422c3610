package dev.switchyard.cli;

import java.io.PrintStream;

/**
 * Progress of long work on stderr: a redrawn bar on a terminal, a line every tenth otherwise,
 * so that logs stay readable.
 */
final class ProgressBar
{
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private int lastTenth = -1;
    private long lastDrawNanos;

    ProgressBar(final PrintStream out, final String label, final long total)
    {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.terminal = System.console() != null;
    }

    void update(final long done)
    {
        final long now = System.nanoTime();
        if (terminal)
        {
            if (now - lastDrawNanos < 50_000_000L && done < total)
            {
                return;
            }
            lastDrawNanos = now;
            final int filled = (int)(WIDTH * done / total);
            out.printf("\r%s [%s%s] %d/%d  %.1f s", label, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
                (now - startNanos) / 1e9);
            if (done >= total)
            {
                out.println();
            }
        }
        else
        {
            final int tenth = (int)(10 * done / total);
            if (tenth != lastTenth)
            {
                lastTenth = tenth;
                out.printf("%s %d/%d (%d%%)%n", label, done, total, 10 * tenth);
            }
        }
        out.flush();
    }
}
