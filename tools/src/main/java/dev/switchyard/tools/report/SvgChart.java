package dev.switchyard.tools.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart drawn as inline SVG: axes with round ticks, one polyline per series, a legend.
 * Series are drawn in the order added, each over the ones before, so that a line added later stays
 * visible where it meets an earlier one; a dashed style tells apart lines that coincide. No script
 * and no external resource, so the page opens anywhere.
 */
final class SvgChart
{
    static final String[] COLORS = {"#1f6fb4", "#e07b00", "#2a9d3a", "#c62828", "#7b3fb0", "#8c564b", "#d63384",
        "#555555"};
    private static final int WIDTH = 900;
    private static final int HEIGHT = 280;
    private static final int LEFT = 64;
    private static final int RIGHT = 150;
    private static final int TOP = 16;
    private static final int BOTTOM = 40;
    private static final int PLOT_W = WIDTH - LEFT - RIGHT;
    private static final int PLOT_H = HEIGHT - TOP - BOTTOM;

    /** How a series' line is drawn: its width, and its dash pattern (null: solid). */
    record Stroke(double width, String dash)
    {
        static final Stroke SOLID = new Stroke(1.8, null);
    }

    private record Series(String name, double[] x, double[] y, String color, Stroke stroke)
    {
    }

    /** The span each axis shows, which places a data point in the plot. */
    private record Scale(double minX, double maxX, double yStep, double yTop)
    {
        double px(final double x)
        {
            return LEFT + (x - minX) / (maxX - minX) * PLOT_W;
        }

        /** A value above the top of the y axis is drawn at the top. */
        double py(final double y)
        {
            return TOP + PLOT_H - Math.min(y, yTop) / yTop * PLOT_H;
        }
    }

    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final List<Series> series = new ArrayList<>();
    private double fixedMinX = Double.NaN;
    private double fixedMaxX = Double.NaN;

    SvgChart(final String xLabel, final String yLabel, final boolean logX)
    {
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    SvgChart add(final String name, final double[] x, final double[] y)
    {
        return add(name, x, y, COLORS[series.size() % COLORS.length], Stroke.SOLID);
    }

    SvgChart add(final String name, final double[] x, final double[] y, final String color, final Stroke stroke)
    {
        series.add(new Series(name, x, y, color, stroke));
        return this;
    }

    /** Spans the x axis from {@code min} to {@code max} whatever the data (to line it up with another figure). */
    SvgChart xRange(final double min, final double max)
    {
        fixedMinX = min;
        fixedMaxX = max;
        return this;
    }

    String render()
    {
        final Scale scale = scale();
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" " +
            "font-family=\"sans-serif\" font-size=\"11\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fbfbfb\" " +
            "stroke=\"#999\"/>%n", LEFT, TOP, PLOT_W, PLOT_H));
        appendYTicks(out, scale);
        if (logX)
        {
            appendPercentileTicks(out, scale);
        }
        else
        {
            appendXTicks(out, scale);
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
            LEFT + PLOT_W / 2, HEIGHT - 6, escape(xLabel)));
        out.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" " +
            "transform=\"rotate(-90 14 %d)\">%s</text>%n", TOP + PLOT_H / 2, TOP + PLOT_H / 2, escape(yLabel)));
        int legend = 0;
        for (final Series s : series)
        {
            appendLine(out, s, scale);
            appendLegend(out, s, legend++);
        }
        out.append("</svg>\n");
        return out.toString();
    }

    /** The axes' span: the data's (or the fixed x range), the y axis from 0 up to a round tick. */
    private Scale scale()
    {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = 0;
        for (final Series s : series)
        {
            for (int i = 0; i < s.x.length; i++)
            {
                minX = Math.min(minX, s.x[i]);
                maxX = Math.max(maxX, s.x[i]);
                if (!Double.isNaN(s.y[i]))
                {
                    maxY = Math.max(maxY, s.y[i]);
                }
            }
        }
        if (!Double.isNaN(fixedMinX))
        {
            minX = fixedMinX;
            maxX = fixedMaxX;
        }
        if (minX > maxX)
        {
            minX = 0;
            maxX = 1;
        }
        if (maxX == minX)
        {
            maxX = minX + 1;
        }
        final double yStep = niceStep(maxY <= 0 ? 1 : maxY, 5);
        final double yTop = Math.max(yStep, Math.ceil(maxY / yStep) * yStep);
        return new Scale(minX, maxX, yStep, yTop);
    }

    private static void appendYTicks(final StringBuilder out, final Scale scale)
    {
        final double yStep = scale.yStep();
        final double yTop = scale.yTop();
        for (double v = 0; v <= yTop + yStep / 2; v += yStep)
        {
            final double py = TOP + PLOT_H - v / yTop * PLOT_H;
            out.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>" +
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, LEFT + PLOT_W, py, py, LEFT - 6,
                py + 4, label(v)));
        }
    }

    /** Ticks of an x axis from {@link #percentileAxis}: one per added nine, each named as a percentile. */
    private static void appendPercentileTicks(final StringBuilder out, final Scale scale)
    {
        final String[] names = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int k = 0; k < names.length; k++)
        {
            if (k < scale.minX() || k > scale.maxX())
            {
                continue;
            }
            appendXTick(out, scale.px(k), names[k]);
        }
    }

    private static void appendXTicks(final StringBuilder out, final Scale scale)
    {
        final double minX = scale.minX();
        final double maxX = scale.maxX();
        final double xStep = niceStep(maxX - minX, 8);
        for (double v = Math.ceil(minX / xStep) * xStep; v <= maxX + 1e-9; v += xStep)
        {
            appendXTick(out, scale.px(v), label(v));
        }
    }

    private static void appendXTick(final StringBuilder out, final double px, final String name)
    {
        out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" " +
            "stroke=\"#e4e4e4\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, px, TOP,
            TOP + PLOT_H, px, TOP + PLOT_H + 14, name));
    }

    /** A series' polylines, and a dot when it has a single point (a line of one point does not show). */
    private static void appendLine(final StringBuilder out, final Series s, final Scale scale)
    {
        // A NaN (a second without a sample) breaks the line rather than drawing a false zero.
        final StringBuilder points = new StringBuilder();
        for (int i = 0; i <= s.x.length; i++)
        {
            if (i == s.x.length || Double.isNaN(s.y[i]))
            {
                if (!points.isEmpty())
                {
                    out.append(String.format(Locale.ROOT, "<polyline data-series=\"%s\" fill=\"none\" " +
                        "stroke=\"%s\"%s points=\"%s\"/>%n", escape(s.name), s.color, style(s.stroke),
                        points.toString().trim()));
                    points.setLength(0);
                }
                continue;
            }
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", scale.px(s.x[i]), scale.py(s.y[i])));
        }
        if (s.x.length == 1)
        {
            out.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                scale.px(s.x[0]), scale.py(s.y[0]), s.color));
        }
    }

    /** The {@code index}-th legend entry: a short line in the series' style, a little wider, and its name. */
    private static void appendLegend(final StringBuilder out, final Series s, final int index)
    {
        final int ly = TOP + 10 + index * 16;
        out.append(String.format(Locale.ROOT, "<line data-legend=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"%d\" " +
            "y2=\"%d\" stroke=\"%s\"%s/><text x=\"%d\" y=\"%d\">%s</text>%n", escape(s.name), WIDTH - RIGHT + 10,
            WIDTH - RIGHT + 30, ly, ly, s.color, style(new Stroke(s.stroke.width() + 1, s.stroke.dash())),
            WIDTH - RIGHT + 36, ly + 4, escape(s.name)));
    }

    private static String style(final Stroke stroke)
    {
        return String.format(Locale.ROOT, " stroke-width=\"%.1f\"%s", stroke.width(),
            stroke.dash() == null ? "" : " stroke-dasharray=\"" + stroke.dash() + "\"");
    }

    /** Percentile p (0..100) on the axis where 90%, 99%, 99.9% are evenly spaced. */
    static double percentileAxis(final double p)
    {
        return Math.log10(100.0 / Math.max(1e-6, 100.0 - Math.min(p, 99.9999)));
    }

    static double niceStep(final double range, final int ticks)
    {
        final double raw = range / ticks;
        final double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        final double f = raw / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }

    static String label(final double v)
    {
        if (v == Math.rint(v) && Math.abs(v) < 1e9)
        {
            return Long.toString((long)v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
