package dev.switchyard.tools.lmload;

import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/** A language-model run's end as text: the summary table printed on stdout, and whether the run failed. */
public final class LmSummary
{
    private LmSummary()
    {
    }

    /** The summary (the title is printed when the run starts): outcomes, a TTFT / ITL / E2E table, goodput, notes. */
    public static String text(final LmResult r)
    {
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "sent %d in %.1f s: %s%n", r.sent(), r.seconds(), counts(r.outcomes())));
        out.append(String.format(Locale.ROOT, "%-10s %10s %10s %10s %10s %8s%n", "ms", "p50", "p90", "p99", "max",
            "count"));
        row(out, "TTFT", r.ttft());
        row(out, "ITL", r.itl());
        row(out, "E2E", r.e2e());
        out.append(String.format(Locale.ROOT, "throughput: %.2f requests/s OK, %.1f tokens/s (%d tokens, %d in OK " +
            "answers)%n", r.perSecond(r.ok()), r.perSecond(r.tokens()), r.tokens(), r.okTokens()));
        out.append(String.format(Locale.ROOT, "goodput (%s): %.2f requests/s (%d of %d sent)%n", r.slo().describe(),
            r.perSecond(r.good()), r.good(), r.sent()));
        if (!r.finishReasons().isEmpty())
        {
            out.append("OK answers by finish reason: ").append(counts(r.finishReasons())).append('\n');
        }
        out.append(String.format(Locale.ROOT, "schedule lateness (ms): p50 %.3f  p99 %.3f  max %.3f%n",
            LmResult.ms(r.lateness(), 50), LmResult.ms(r.lateness(), 99), LmResult.ms(r.lateness(), 100)));
        for (final String note : r.notes())
        {
            out.append(note).append('\n');
        }
        final String failure = failure(r);
        if (failure != null)
        {
            out.append(failure).append('\n');
        }
        return out.toString();
    }

    /** The {@code FAILED:} line of a run that failed, or null: nothing sent, some never answered, mostly errors. */
    public static String failure(final LmResult r)
    {
        if (r.sent() == 0)
        {
            return "FAILED: no request was sent (the workload is empty)";
        }
        final long never = r.outcomes().getOrDefault(Outcomes.NEVER_ANSWERED, 0L);
        if (never > 0)
        {
            return "FAILED: " + never + " of " + r.sent() + " requests were never answered";
        }
        if (2 * (r.sent() - r.ok()) > r.sent())
        {
            return "FAILED: most requests did not end OK: " + (r.sent() - r.ok()) + " of " + r.sent() + " (" +
                counts(r.outcomes()) + ")";
        }
        return null;
    }

    private static void row(final StringBuilder out, final String name, final Histogram h)
    {
        out.append(String.format(Locale.ROOT, "%-10s %10.3f %10.3f %10.3f %10.3f %8d%n", name, LmResult.ms(h, 50),
            LmResult.ms(h, 90), LmResult.ms(h, 99), LmResult.ms(h, 100), h.getTotalCount()));
    }

    /** {@code name n, name n} in key order, or "none". */
    public static String counts(final Map<String, Long> counts)
    {
        final StringBuilder out = new StringBuilder();
        for (final Map.Entry<String, Long> e : counts.entrySet())
        {
            out.append(out.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
        }
        return out.isEmpty() ? "none" : out.toString();
    }
}
