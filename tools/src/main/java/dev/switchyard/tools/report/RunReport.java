package dev.switchyard.tools.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.switchyard.tools.replay.AnswerCheck;
import org.HdrHistogram.Histogram;

/**
 * The end of a run, as text and as the numbers the files hold.
 *
 * @param title  what ran (replay of which recording, at what speed; or the load generator's flags)
 * @param check  the verification, or null when answers were not compared
 * @param notes  lines the report adds as they are (what was compared how, what was skipped)
 */
public record RunReport(String title, RunStats stats, AnswerCheck check, List<String> notes)
{
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};

    /** The lines printed at the end of a run. */
    public String text()
    {
        final Histogram latency = stats.latency();
        final Histogram lateness = stats.lateness();
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s%n", title));
        out.append(String.format(Locale.ROOT, "sent %d, answered %d in %.1f s: %.1f requests/s, %.0f tokens/s OK%n",
            stats.sent(), stats.answered(), stats.elapsedSeconds(), throughput(stats.answered()),
            throughput(stats.okTokens())));
        out.append("answers by status:");
        for (final Map.Entry<String, Long> e : stats.statuses().entrySet())
        {
            out.append(' ').append(e.getKey().toLowerCase(Locale.ROOT)).append(' ').append(e.getValue());
        }
        out.append(String.format(Locale.ROOT, "%nlatency from intended send (ms): %s%n", percentiles(latency)));
        out.append(String.format(Locale.ROOT, "schedule lateness (ms): p50 %.3f  p99 %.3f  max %.3f%n",
            ms(lateness, 50), ms(lateness, 99), ms(lateness, 100)));
        if (check != null)
        {
            out.append(check.summary()).append('\n');
            for (final String d : check.differences())
            {
                out.append("  ").append(d).append('\n');
            }
        }
        for (final String note : notes)
        {
            out.append(note).append('\n');
        }
        return out.toString();
    }

    double throughput(final long count)
    {
        return stats.elapsedSeconds() <= 0 ? 0 : count / stats.elapsedSeconds();
    }

    static String percentiles(final Histogram h)
    {
        final StringBuilder out = new StringBuilder();
        for (final double p : PERCENTILES)
        {
            out.append(String.format(Locale.ROOT, "%s %.3f  ", p == 100 ? "max" : "p" + SvgChart.label(p), ms(h, p)));
        }
        return out.toString().trim();
    }

    static double ms(final Histogram h, final double percentile)
    {
        if (h.getTotalCount() == 0)
        {
            return 0;
        }
        return (percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile)) / 1e6;
    }
}
