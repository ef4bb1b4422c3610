package dev.switchyard.tools.report;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import dev.switchyard.tools.lmload.LmResult;
import dev.switchyard.tools.lmload.LmSecond;
import dev.switchyard.tools.lmload.LmSummary;
import org.HdrHistogram.Histogram;

/**
 * A language-model run's report as one self-contained HTML page: the summary table, then TTFT, ITL and E2E
 * percentiles over time, tokens and requests per second with those in flight, and errors per second, every plot
 * inline SVG on one time axis (second s spans s to s + 1, its point drawn at s + 0.5).
 */
final class LmHtmlReport
{
    private LmHtmlReport()
    {
    }

    static String render(final LmResult r)
    {
        final StringBuilder out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
            .append(SvgChart.escape(r.title())).append("</title>\n<style>\n")
            .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:940px}\n")
            .append("h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n")
            .append("table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;")
            .append("text-align:right}th{text-align:left}\n.bad{color:#c62828;font-weight:bold}\n")
            .append("p.note{color:#555;font-size:13px}\n</style></head><body>\n");
        out.append("<h1>").append(SvgChart.escape(r.title())).append("</h1>\n");
        summary(out, r);
        final List<LmSecond> seconds = r.perSecond();
        final double[] x = new double[seconds.size()];
        for (int i = 0; i < x.length; i++)
        {
            x[i] = seconds.get(i).second() + 0.5;
        }
        out.append("<h2>Latency over time</h2>\n<p class=\"note\">TTFT from each request's intended send time to " +
            "its first token, by the second the token came; ITL between a request's tokens; E2E to the end of OK " +
            "answers. Blank where a second had no sample.</p>\n");
        out.append(percentiles("TTFT (ms)", seconds, x, LmSecond::ttftP50Ms, LmSecond::ttftP99Ms));
        out.append(percentiles("ITL (ms)", seconds, x, LmSecond::itlP50Ms, LmSecond::itlP99Ms));
        out.append(percentiles("E2E (ms)", seconds, x, LmSecond::e2eP50Ms, LmSecond::e2eP99Ms));
        out.append("<h2>Throughput over time</h2>\n");
        out.append(chart("tokens per second", x).add("tokens", x, series(seconds, s -> s.tokens())).render());
        out.append(chart("requests per second", x).add("sent", x, series(seconds, s -> s.sent()))
            .add("ended OK", x, series(seconds, s -> s.ok())).add("in flight", x, series(seconds, s -> s.inFlight()))
            .render());
        out.append("<h2>Errors over time</h2>\n");
        if (r.ok() == r.sent())
        {
            out.append("<p class=\"note\">No errors: every request ended OK.</p>\n");
        }
        else
        {
            out.append(chart("requests not OK per second", x).add("errors", x, series(seconds, s -> s.errors()))
                .render());
        }
        return out.append("</body></html>\n").toString();
    }

    private static void summary(final StringBuilder out, final LmResult r)
    {
        out.append("<table>\n");
        row(out, "sent / ended OK", r.sent() + " / " + r.ok());
        row(out, "outcomes", LmSummary.counts(r.outcomes()));
        row(out, "duration", String.format(Locale.ROOT, "%.1f s", r.seconds()));
        row(out, "TTFT (ms)", percentiles(r.ttft()));
        row(out, "ITL (ms)", percentiles(r.itl()));
        row(out, "E2E (ms)", percentiles(r.e2e()));
        row(out, "throughput", String.format(Locale.ROOT, "%.2f requests/s OK, %.1f tokens/s", r.perSecond(r.ok()),
            r.perSecond(r.tokens())));
        row(out, "goodput (" + r.slo().describe() + ")", String.format(Locale.ROOT, "%.2f requests/s (%d of %d)",
            r.perSecond(r.good()), r.good(), r.sent()));
        row(out, "schedule lateness (ms)", percentiles(r.lateness()));
        out.append("</table>\n");
        for (final String note : r.notes())
        {
            out.append("<p class=\"note\">").append(SvgChart.escape(note)).append("</p>\n");
        }
        final String failure = LmSummary.failure(r);
        if (failure != null)
        {
            out.append("<p class=\"bad\">").append(SvgChart.escape(failure)).append("</p>\n");
        }
    }

    private static String percentiles(final Histogram h)
    {
        return String.format(Locale.ROOT, "p50 %.3f  p90 %.3f  p99 %.3f  max %.3f  (%d)", LmResult.ms(h, 50),
            LmResult.ms(h, 90), LmResult.ms(h, 99), LmResult.ms(h, 100), h.getTotalCount());
    }

    private static void row(final StringBuilder out, final String name, final String value)
    {
        out.append("<tr><th>").append(SvgChart.escape(name)).append("</th><td>").append(SvgChart.escape(value))
            .append("</td></tr>\n");
    }

    private static String percentiles(final String label, final List<LmSecond> seconds, final double[] x,
        final ToDoubleFunction<LmSecond> p50, final ToDoubleFunction<LmSecond> p99)
    {
        // p99 first, so that p50 is drawn over it where they meet.
        return chart(label, x).add("p99", x, series(seconds, p99), SvgChart.COLORS[3], new SvgChart.Stroke(2.6, null))
            .add("p50", x, series(seconds, p50), SvgChart.COLORS[0], SvgChart.Stroke.SOLID).render();
    }

    private static SvgChart chart(final String yLabel, final double[] x)
    {
        return new SvgChart("time (s)", yLabel, false).xRange(0, Math.max(1, x.length));
    }

    private static double[] series(final List<LmSecond> seconds, final ToDoubleFunction<LmSecond> value)
    {
        final double[] y = new double[seconds.size()];
        for (int i = 0; i < y.length; i++)
        {
            y[i] = value.applyAsDouble(seconds.get(i));
        }
        return y;
    }
}
