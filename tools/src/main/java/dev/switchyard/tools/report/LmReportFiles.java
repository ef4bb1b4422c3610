package dev.switchyard.tools.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.switchyard.tools.lmload.LmResult;
import dev.switchyard.tools.lmload.LmSecond;
import dev.switchyard.wire.BadInputException;
import org.HdrHistogram.Histogram;

/**
 * Writes a language-model run's report next to {@code OUT}, as {@link ReportFiles} does for layer traffic:
 * {@code OUT.json} (the summary and one entry per second), {@code OUT.html} (one page of inline SVG) and
 * {@code OUT.ttft.hgrm}, {@code OUT.itl.hgrm}, {@code OUT.e2e.hgrm} (HdrHistogram's percentile distributions, ms).
 */
public final class LmReportFiles
{
    private LmReportFiles()
    {
    }

    /** @return the files written */
    public static List<Path> write(final Path out, final LmResult result)
    {
        final Path base = out.toAbsolutePath();
        final List<Path> files = List.of(sibling(base, ".json"), sibling(base, ".html"), sibling(base, ".ttft.hgrm"),
            sibling(base, ".itl.hgrm"), sibling(base, ".e2e.hgrm"));
        try
        {
            if (base.getParent() != null)
            {
                Files.createDirectories(base.getParent());
            }
            Files.writeString(files.get(0), json(result));
            Files.writeString(files.get(1), LmHtmlReport.render(result));
            Files.writeString(files.get(2), ReportFiles.hgrm(result.ttft()));
            Files.writeString(files.get(3), ReportFiles.hgrm(result.itl()));
            Files.writeString(files.get(4), ReportFiles.hgrm(result.e2e()));
        }
        catch (final IOException ex)
        {
            throw new BadInputException("report " + out + " cannot be written: " + ex.getMessage());
        }
        return files;
    }

    private static Path sibling(final Path base, final String suffix)
    {
        return base.resolveSibling(base.getFileName() + suffix);
    }

    static String json(final LmResult r)
    {
        final StringBuilder out = new StringBuilder("{\n");
        out.append("  \"title\": ").append(ReportFiles.quote(r.title())).append(",\n");
        out.append(String.format(Locale.ROOT, "  \"seconds\": %.3f,%n", r.seconds()));
        out.append("  \"sent\": ").append(r.sent()).append(",\n");
        out.append("  \"outcomes\": ").append(counts(r.outcomes())).append(",\n");
        out.append("  \"ok\": ").append(r.ok()).append(",\n");
        out.append("  \"tokens\": ").append(r.tokens()).append(",\n");
        out.append("  \"ok_tokens\": ").append(r.okTokens()).append(",\n");
        out.append("  \"usage_completion_tokens\": ").append(r.reportedTokens()).append(",\n");
        out.append("  \"finish_reasons\": ").append(counts(r.finishReasons())).append(",\n");
        out.append(String.format(Locale.ROOT, "  \"requests_per_s\": %.3f,%n", r.perSecond(r.ok())));
        out.append(String.format(Locale.ROOT, "  \"tokens_per_s\": %.3f,%n", r.perSecond(r.tokens())));
        out.append(String.format(Locale.ROOT, "  \"goodput\": {\"slo_ttft_ms\": %s, \"slo_itl_ms\": %s, " +
            "\"requests\": %d, \"requests_per_s\": %.3f},%n", number(r.slo().ttftMs()), number(r.slo().itlMs()),
            r.good(), r.perSecond(r.good())));
        out.append("  \"ttft_ms\": ").append(percentiles(r.ttft())).append(",\n");
        out.append("  \"itl_ms\": ").append(percentiles(r.itl())).append(",\n");
        out.append("  \"e2e_ms\": ").append(percentiles(r.e2e())).append(",\n");
        out.append("  \"lateness_ms\": ").append(percentiles(r.lateness())).append(",\n");
        out.append("  \"notes\": [");
        String sep = "";
        for (final String note : r.notes())
        {
            out.append(sep).append(ReportFiles.quote(note));
            sep = ", ";
        }
        out.append("],\n  \"per_second\": [\n");
        sep = "";
        for (final LmSecond s : r.perSecond())
        {
            out.append(sep).append(String.format(Locale.ROOT, "    {\"second\": %d, \"sent\": %d, \"ok\": %d, " +
                "\"errors\": %d, \"tokens\": %d, \"in_flight\": %d, \"ttft_p50_ms\": %s, \"ttft_p99_ms\": %s, " +
                "\"itl_p50_ms\": %s, \"itl_p99_ms\": %s, \"e2e_p50_ms\": %s, \"e2e_p99_ms\": %s}", s.second(),
                s.sent(), s.ok(), s.errors(), s.tokens(), s.inFlight(), number(s.ttftP50Ms()),
                number(s.ttftP99Ms()), number(s.itlP50Ms()), number(s.itlP99Ms()), number(s.e2eP50Ms()),
                number(s.e2eP99Ms())));
            sep = ",\n";
        }
        return out.append("\n  ]\n}\n").toString();
    }

    /** A number as JSON: null where there is none (NaN: no sample; infinite: no objective). */
    private static String number(final double v)
    {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "null";
    }

    private static String counts(final Map<String, Long> counts)
    {
        final StringBuilder out = new StringBuilder("{");
        String sep = "";
        for (final Map.Entry<String, Long> e : counts.entrySet())
        {
            out.append(sep).append(ReportFiles.quote(e.getKey())).append(": ").append(e.getValue());
            sep = ", ";
        }
        return out.append('}').toString();
    }

    private static String percentiles(final Histogram h)
    {
        return String.format(Locale.ROOT, "{\"count\": %d, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, " +
            "\"max\": %.3f}", h.getTotalCount(), LmResult.ms(h, 50), LmResult.ms(h, 90), LmResult.ms(h, 99),
            LmResult.ms(h, 100));
    }
}
