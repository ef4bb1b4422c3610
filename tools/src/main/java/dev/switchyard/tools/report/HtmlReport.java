package dev.switchyard.tools.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.switchyard.tools.replay.AnswerCheck;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The run's report as one self-contained HTML page: the summary, then latency percentiles over
 * time, the latency distribution, throughput, errors and per-expert load over time, all inline SVG.
 */
final class HtmlReport
{
    private HtmlReport()
    {
    }

    static String render(final RunReport report)
    {
        final RunStats stats = report.stats();
        final List<SecondSample> seconds = stats.seconds();
        final Histogram latency = stats.latency();
        final StringBuilder out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
            .append(SvgChart.escape(report.title())).append("</title>\n<style>\n")
            .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:940px}\n")
            .append("h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n")
            .append("table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;")
            .append("text-align:right}th{text-align:left}\n.bad{color:#c62828;font-weight:bold}.good{color:#2a7d3a}\n")
            .append("p.note{color:#555;font-size:13px}\n</style></head><body>\n");
        out.append("<h1>").append(SvgChart.escape(report.title())).append("</h1>\n");
        summary(out, report, latency);
        out.append("<h2>Latency over time (from the intended send time)</h2>\n");
        final double[] x = new double[seconds.size()];
        final double[] p50 = new double[x.length];
        final double[] p90 = new double[x.length];
        final double[] p99 = new double[x.length];
        final double[] max = new double[x.length];
        final double[] requests = new double[x.length];
        final double[] tokens = new double[x.length];
        final double[] inFlight = new double[x.length];
        for (int i = 0; i < x.length; i++)
        {
            final SecondSample s = seconds.get(i);
            // The middle of the second, over the middle of the heat maps' column of that second.
            x[i] = s.second() + 0.5;
            p50[i] = s.p50Ms();
            p90[i] = s.p90Ms();
            p99[i] = s.p99Ms();
            max[i] = s.maxMs();
            requests[i] = s.answered();
            tokens[i] = s.okTokens();
            inFlight[i] = s.inFlight();
        }
        // The highest first, so that each lower percentile is drawn over it: p99 often equals the max.
        out.append(timeChart("latency (ms)", x.length)
            .add("max", x, max, "#777777", new SvgChart.Stroke(1.5, "6,4"))
            .add("p99", x, p99, SvgChart.COLORS[3], new SvgChart.Stroke(2.6, null))
            .add("p90", x, p90, SvgChart.COLORS[1], new SvgChart.Stroke(2.0, "2,2"))
            .add("p50", x, p50, SvgChart.COLORS[0], SvgChart.Stroke.SOLID).render());
        out.append("<h2>Latency distribution</h2>\n");
        out.append(distribution(latency));
        out.append("<h2>Throughput over time</h2>\n");
        out.append(timeChart("requests answered per second", x.length)
            .add("answered", x, requests).add("in flight", x, inFlight).render());
        out.append(timeChart("tokens answered OK per second", x.length).add("tokens OK", x, tokens)
            .render());
        out.append("<h2>Errors over time</h2>\n");
        errors(out, seconds, x);
        out.append("<h2>Per-expert load over time</h2>\n");
        experts(out, stats, seconds, x);
        out.append("</body></html>\n");
        return out.toString();
    }

    /** A chart over the run's seconds, its x axis the heat maps' (second s spans s to s + 1). */
    private static SvgChart timeChart(final String yLabel, final int seconds)
    {
        return new SvgChart("time (s)", yLabel, false).xRange(0, Math.max(1, seconds));
    }

    private static void summary(final StringBuilder out, final RunReport report, final Histogram latency)
    {
        final RunStats stats = report.stats();
        final Histogram lateness = stats.lateness();
        out.append("<table>\n");
        row(out, "requests sent / answered", stats.sent() + " / " + stats.answered());
        row(out, "duration", String.format(Locale.ROOT, "%.1f s", stats.elapsedSeconds()));
        row(out, "throughput", String.format(Locale.ROOT, "%.1f requests/s, %.0f tokens/s OK",
            report.throughput(stats.answered()), report.throughput(stats.okTokens())));
        final StringBuilder statuses = new StringBuilder();
        for (final Map.Entry<String, Long> e : stats.statuses().entrySet())
        {
            statuses.append(e.getKey().toLowerCase(Locale.ROOT)).append(' ').append(e.getValue()).append("  ");
        }
        row(out, "answers by status", statuses.toString().trim());
        row(out, "latency (ms)", RunReport.percentiles(latency));
        row(out, "schedule lateness (ms)", String.format(Locale.ROOT, "p50 %.3f  p99 %.3f  max %.3f",
            RunReport.ms(lateness, 50), RunReport.ms(lateness, 99), RunReport.ms(lateness, 100)));
        final AnswerCheck check = report.check();
        if (check != null)
        {
            out.append("<tr><th>answers verified</th><td class=\"").append(check.passed() ? "good" : "bad")
                .append("\">").append(SvgChart.escape(check.summary())).append("</td></tr>\n");
        }
        out.append("</table>\n");
        if (check != null)
        {
            for (final String d : check.differences())
            {
                out.append("<p class=\"bad\">").append(SvgChart.escape(d)).append("</p>\n");
            }
        }
        for (final String note : report.notes())
        {
            out.append("<p class=\"note\">").append(SvgChart.escape(note)).append("</p>\n");
        }
    }

    private static void row(final StringBuilder out, final String name, final String value)
    {
        out.append("<tr><th>").append(SvgChart.escape(name)).append("</th><td>").append(SvgChart.escape(value))
            .append("</td></tr>\n");
    }

    private static String distribution(final Histogram latency)
    {
        if (latency.getTotalCount() == 0)
        {
            return "<p class=\"note\">No answers.</p>\n";
        }
        final java.util.List<double[]> points = new java.util.ArrayList<>();
        for (final HistogramIterationValue v : latency.percentiles(5))
        {
            points.add(new double[] {SvgChart.percentileAxis(v.getPercentileLevelIteratedTo()),
                v.getValueIteratedTo() / 1e6});
        }
        final double[] px = new double[points.size()];
        final double[] py = new double[points.size()];
        for (int i = 0; i < px.length; i++)
        {
            px[i] = points.get(i)[0];
            py[i] = points.get(i)[1];
        }
        return new SvgChart("percentile", "latency (ms)", true).add("latency", px, py).render();
    }

    private static void errors(final StringBuilder out, final List<SecondSample> seconds, final double[] x)
    {
        final java.util.TreeSet<String> names = ReportFiles.errorStatuses(seconds);
        if (names.isEmpty())
        {
            out.append("<p class=\"good\">No errors: every request was answered OK.</p>\n");
            return;
        }
        final SvgChart chart = timeChart("errors per second", x.length);
        for (final String name : names)
        {
            final double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++)
            {
                y[i] = seconds.get(i).errors().getOrDefault(name, 0L);
            }
            chart.add(name.toLowerCase(Locale.ROOT), x, y);
        }
        out.append(chart.render());
    }

    private static void experts(
        final StringBuilder out, final RunStats stats, final List<SecondSample> seconds, final double[] x)
    {
        if (stats.experts() == 0)
        {
            out.append("<p class=\"note\">The gateway's metrics were not read (give --metrics HOST:PORT of the " +
                "gateway's metrics port), so per-expert load is not shown.</p>\n");
            return;
        }
        final long[][] rows = new long[seconds.size()][];
        final long[][] expertDrops = new long[seconds.size()][];
        final double[] dropped = new double[x.length];
        boolean drops = false;
        boolean perExpertDrops = false;
        for (int i = 0; i < rows.length; i++)
        {
            rows[i] = seconds.get(i).expertRows();
            expertDrops[i] = seconds.get(i).expertDrops();
            perExpertDrops |= expertDrops[i] != null;
            dropped[i] = seconds.get(i).dropped() < 0 ? Double.NaN : seconds.get(i).dropped();
            drops |= seconds.get(i).dropped() >= 0;
        }
        out.append("<p class=\"note\">Rows dispatched to each expert per second, all layers (darker is busier; " +
            "blank where the gateway's metrics could not be read that second, whose rows then count in the next)." +
            "</p>\n");
        out.append(SvgHeatmap.render(rows, stats.experts()));
        if (perExpertDrops)
        {
            out.append("<p class=\"note\">Assignments meant for each expert and dropped per second, all layers and " +
                "causes (capacity, second policy, importance, unavailable; darker red is more): a hot expert " +
                "past its capacity is a dark row here under a dark row above.</p>\n");
            out.append(SvgHeatmap.render(expertDrops, stats.experts(), SvgHeatmap.Kind.DROPS));
        }
        if (drops)
        {
            out.append(timeChart("assignments dropped per second", x.length)
                .add("dropped", x, dropped).render());
        }
    }
}
