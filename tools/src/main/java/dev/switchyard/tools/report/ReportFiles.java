package dev.switchyard.tools.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import dev.switchyard.tools.replay.AnswerCheck;
import dev.switchyard.wire.BadInputException;
import org.HdrHistogram.Histogram;

/**
 * Writes a run's report next to {@code OUT}: {@code OUT.hgrm} (HdrHistogram's percentile
 * distribution of latency, in ms), {@code OUT.json} (the summary) and {@code OUT.html} (one page,
 * every plot inline SVG, readable without network access).
 */
public final class ReportFiles
{
    private ReportFiles()
    {
    }

    /** @return the three files written */
    public static List<Path> write(final Path out, final RunReport report)
    {
        final Path base = out.toAbsolutePath();
        final Path hgrm = sibling(base, ".hgrm");
        final Path json = sibling(base, ".json");
        final Path html = sibling(base, ".html");
        try
        {
            if (base.getParent() != null)
            {
                Files.createDirectories(base.getParent());
            }
            Files.writeString(hgrm, hgrm(report.stats().latency()));
            Files.writeString(json, json(report));
            Files.writeString(html, HtmlReport.render(report));
        }
        catch (final IOException ex)
        {
            throw new BadInputException("report " + out + " cannot be written: " + ex.getMessage());
        }
        return List.of(hgrm, json, html);
    }

    private static Path sibling(final Path base, final String suffix)
    {
        return base.resolveSibling(base.getFileName() + suffix);
    }

    static String hgrm(final Histogram latencyNs)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            latencyNs.outputPercentileDistribution(print, 5, 1e6);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static String json(final RunReport report)
    {
        final RunStats stats = report.stats();
        final Histogram latency = stats.latency();
        final Histogram lateness = stats.lateness();
        final StringBuilder out = new StringBuilder("{\n");
        out.append("  \"title\": ").append(quote(report.title())).append(",\n");
        out.append(String.format(Locale.ROOT, "  \"seconds\": %.3f,%n", stats.elapsedSeconds()));
        out.append("  \"sent\": ").append(stats.sent()).append(",\n");
        out.append("  \"answered\": ").append(stats.answered()).append(",\n");
        out.append(String.format(Locale.ROOT, "  \"requests_per_s\": %.3f,%n", report.throughput(stats.answered())));
        out.append(String.format(Locale.ROOT, "  \"tokens_per_s\": %.3f,%n", report.throughput(stats.okTokens())));
        out.append("  \"statuses\": {");
        appendCounts(out, stats.statuses());
        out.append("},\n");
        out.append("  \"latency_ms\": ").append(percentileObject(latency)).append(",\n");
        out.append("  \"lateness_ms\": ").append(percentileObject(lateness));
        final AnswerCheck check = report.check();
        if (check != null)
        {
            appendVerify(out, check);
        }
        out.append(",\n  \"notes\": [");
        appendStrings(out, report.notes());
        out.append("],\n  \"per_second\": [\n");
        String sep = "";
        for (final SecondSample s : stats.seconds())
        {
            out.append(sep);
            appendSecond(out, s);
            sep = ",\n";
        }
        out.append("\n  ]\n}\n");
        return out.toString();
    }

    /** The {@code verify} member: how the replay's answers compare with the recording's. */
    private static void appendVerify(final StringBuilder out, final AnswerCheck check)
    {
        out.append(",\n  \"verify\": {\"exact_identical\": ").append(check.exactIdentical())
            .append(", \"exact_differing\": ").append(check.exactDiffering())
            .append(", \"shared_matching_status_and_shape\": ").append(check.sharedMatching())
            .append(", \"shared_differing\": ").append(check.sharedDiffering())
            .append(", \"status_differs\": ").append(check.statusDiffers())
            .append(", \"not_recorded\": ").append(check.notRecorded())
            .append(", \"routing_identical\": ").append(check.routingIdentical())
            .append(", \"routing_differing\": ").append(check.routingDiffering())
            .append(", \"differences\": [");
        appendStrings(out, check.differences());
        out.append("]}");
    }

    /** One element of {@code per_second}, without the separator before it. */
    private static void appendSecond(final StringBuilder out, final SecondSample s)
    {
        out.append(String.format(Locale.ROOT, "    {\"second\": %d, \"sent\": %d, \"answered\": %d, " +
            "\"ok_tokens\": %d, \"in_flight\": %d, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, " +
            "\"max_ms\": %.3f, \"errors\": {", s.second(), s.sent(), s.answered(), s.okTokens(), s.inFlight(),
            s.p50Ms(), s.p90Ms(), s.p99Ms(), s.maxMs()));
        appendCounts(out, s.errors());
        out.append('}');
        if (s.expertRows() != null)
        {
            out.append(", \"expert_rows\": [");
            appendLongs(out, s.expertRows());
            out.append("], \"dropped\": ").append(s.dropped());
        }
        if (s.expertDrops() != null)
        {
            out.append(", \"expert_drops\": [");
            appendLongs(out, s.expertDrops());
            out.append(']');
        }
        out.append('}');
    }

    /** The members of a JSON object of counts, {@code "name": n} comma separated, without the braces. */
    private static void appendCounts(final StringBuilder out, final Map<String, Long> counts)
    {
        String sep = "";
        for (final Map.Entry<String, Long> e : counts.entrySet())
        {
            out.append(sep).append(quote(e.getKey())).append(": ").append(e.getValue());
            sep = ", ";
        }
    }

    /** The elements of a JSON array of strings, comma separated, without the brackets. */
    private static void appendStrings(final StringBuilder out, final List<String> texts)
    {
        String sep = "";
        for (final String text : texts)
        {
            out.append(sep).append(quote(text));
            sep = ", ";
        }
    }

    /** The elements of a JSON array of numbers, comma separated, without the brackets. */
    private static void appendLongs(final StringBuilder out, final long[] values)
    {
        String sep = "";
        for (final long v : values)
        {
            out.append(sep).append(v);
            sep = ", ";
        }
    }

    private static String percentileObject(final Histogram h)
    {
        return String.format(Locale.ROOT, "{\"count\": %d, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, " +
            "\"p99.9\": %.3f, \"max\": %.3f}", h.getTotalCount(), RunReport.ms(h, 50), RunReport.ms(h, 90),
            RunReport.ms(h, 99), RunReport.ms(h, 99.9), RunReport.ms(h, 100));
    }

    static String quote(final String text)
    {
        final StringBuilder out = new StringBuilder("\"");
        for (final char c : text.toCharArray())
        {
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Every error status that occurred in some second, in name order. */
    static TreeSet<String> errorStatuses(final List<SecondSample> seconds)
    {
        final TreeSet<String> names = new TreeSet<>();
        for (final SecondSample s : seconds)
        {
            names.addAll(s.errors().keySet());
        }
        return names;
    }
}
