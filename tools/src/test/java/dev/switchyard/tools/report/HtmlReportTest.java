package dev.switchyard.tools.report;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchyard.client.AnswerStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's figures, read back from the SVG it draws. */
class HtmlReportTest
{
    private static final int SECONDS = 6;
    private static final int EXPERTS = 3;

    /** A run of {@link #SECONDS} seconds with one answer a second: its p99 equals its max every second. */
    private static String report()
    {
        final long[] served = new long[EXPERTS];
        final ExpertLoad load = new ExpertLoad()
        {
            @Override
            public long sample(final long[] rows, final long[] drops)
            {
                for (int e = 0; e < EXPERTS; e++)
                {
                    served[e] += e + 1;
                    rows[e] = served[e];
                    drops[e] = 0;
                }
                return 0;
            }

            @Override
            public int experts()
            {
                return EXPERTS;
            }
        };
        final RunStats stats = new RunStats(load);
        stats.start(0);
        for (int s = 0; s < SECONDS; s++)
        {
            stats.onSent(0);
            stats.onAnswer(AnswerStatus.OK, 4, (s + 1) * 1_000_000L);
            stats.sampleSecond(s);
        }
        stats.finish(SECONDS * 1_000_000_000L);
        return HtmlReport.render(new RunReport("test run", stats, null, List.of()));
    }

    @Test
    void everyPercentileLineIsVisibleWhereP99EqualsTheMax()
    {
        final String html = report();
        final String max = polyline(html, "max");
        final String p99 = polyline(html, "p99");
        assertEquals(attribute(max, "points"), attribute(p99, "points"), "this run's p99 and max coincide");
        // p99 is drawn after (over) the max line, in another colour, solid and wider, the max dashed.
        assertTrue(html.indexOf(p99) > html.indexOf(max), "p99 drawn over max");
        assertTrue(max.contains("stroke-dasharray"), max);
        assertFalse(p99.contains("stroke-dasharray"), p99);
        assertNotEquals(attribute(max, "stroke"), attribute(p99, "stroke"));
        assertTrue(Double.parseDouble(attribute(p99, "stroke-width")) >
            Double.parseDouble(attribute(max, "stroke-width")), p99 + " / " + max);
        for (final String name : new String[] {"p50", "p90", "p99", "max"})
        {
            assertTrue(html.contains("data-legend=\"" + name + "\""), "legend names " + name);
        }
    }

    @Test
    void theHeatMapsColumnsLieUnderTheLinePlotsSeconds()
    {
        final String html = report();
        final List<double[]> line = points(polyline(html, "p50"));
        assertEquals(SECONDS, line.size());
        final Matcher cells = Pattern.compile("<rect x=\"([0-9.]+)\" y=\"[0-9]+\" width=\"([0-9.]+)\"[^>]*><title>" +
            "expert 0, second (\\d+): \\d+ rows</title>").matcher(html);
        int found = 0;
        while (cells.find())
        {
            final int second = Integer.parseInt(cells.group(3));
            final double centre = Double.parseDouble(cells.group(1)) + Double.parseDouble(cells.group(2)) / 2;
            assertEquals(centre, line.get(second)[0], 0.1, "second " + second + ": heat map column under its point");
            found++;
        }
        assertEquals(SECONDS, found);
        // Both figures start their axis at 0 s at the same pixel.
        final Matcher tick = Pattern.compile("<text x=\"([0-9.]+)\" y=\"\\d+\" text-anchor=\"middle\">0</text>")
            .matcher(html);
        final List<Double> zeros = new ArrayList<>();
        while (tick.find())
        {
            zeros.add(Double.parseDouble(tick.group(1)));
        }
        assertTrue(zeros.size() >= 2, "0 s ticks: " + zeros);
        assertTrue(zeros.stream().allMatch(z -> Math.abs(z - zeros.getFirst()) < 0.1), "0 s ticks: " + zeros);
    }

    private static String polyline(final String html, final String series)
    {
        final Matcher m = Pattern.compile("<polyline data-series=\"" + series + "\"[^>]*/>").matcher(html);
        assertTrue(m.find(), "a line for " + series);
        return m.group();
    }

    private static String attribute(final String element, final String name)
    {
        final Matcher m = Pattern.compile(" " + name + "=\"([^\"]*)\"").matcher(element);
        assertTrue(m.find(), name + " of " + element);
        return m.group(1);
    }

    private static List<double[]> points(final String polyline)
    {
        final List<double[]> out = new ArrayList<>();
        for (final String p : attribute(polyline, "points").split(" "))
        {
            final String[] xy = p.split(",");
            out.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
        }
        return out;
    }
}
