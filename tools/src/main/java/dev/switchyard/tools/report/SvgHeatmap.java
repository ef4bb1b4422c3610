package dev.switchyard.tools.report;

import java.util.Locale;

/**
 * A per-expert count, second by second, as an inline SVG heat map: one row per expert, one column
 * per second, darker where the count was higher. Rows dispatched in blue (a hot expert is a dark
 * row), assignments dropped in red, so the two panels are told apart at a glance.
 */
final class SvgHeatmap
{
    private static final int LEFT = 64;
    private static final int TOP = 10;
    private static final int PLOT_W = 686;
    private static final int ROW_H = 14;

    private SvgHeatmap()
    {
    }

    /** What a heat map shows: the unit of its cells and their colour. */
    enum Kind
    {
        ROWS("rows"),
        DROPS("assignments dropped");

        private final String unit;

        Kind(final String unit)
        {
            this.unit = unit;
        }
    }

    /** @param rows [seconds][experts] rows per second, null entries for seconds without a sample */
    static String render(final long[][] rows, final int experts)
    {
        return render(rows, experts, Kind.ROWS);
    }

    /** @param rows [seconds][experts] counts per second, null entries for seconds without a sample */
    static String render(final long[][] rows, final int experts, final Kind kind)
    {
        long max = 1;
        for (final long[] second : rows)
        {
            if (second != null)
            {
                for (final long v : second)
                {
                    max = Math.max(max, v);
                }
            }
        }
        final int seconds = Math.max(1, rows.length);
        final double cellW = (double)PLOT_W / seconds;
        final int height = TOP + experts * ROW_H + 40;
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"%d\" " +
            "viewBox=\"0 0 900 %d\" font-family=\"sans-serif\" font-size=\"11\">%n", height, height));
        for (int e = 0; e < experts; e++)
        {
            final int y = TOP + e * ROW_H;
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">expert %d</text>%n",
                LEFT - 6, y + ROW_H - 3, e));
            for (int s = 0; s < rows.length; s++)
            {
                if (rows[s] == null)
                {
                    continue;
                }
                final double level = (double)rows[s][e] / max;
                final int shade = (int)Math.round(245 - level * 200);
                final String fill = kind == Kind.ROWS ? "rgb(" + shade + "," + shade + ",255)" :
                    "rgb(255," + shade + "," + shade + ")";
                out.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" " +
                    "fill=\"%s\"><title>expert %d, second %d: %d %s</title></rect>%n",
                    LEFT + s * cellW, y, Math.max(cellW, 0.5), ROW_H - 1, fill, e, s, rows[s][e], kind.unit));
            }
        }
        final int axisY = TOP + experts * ROW_H + 14;
        final double step = SvgChart.niceStep(seconds, 8);
        for (double v = 0; v <= seconds; v += step)
        {
            out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + v * cellW, axisY, SvgChart.label(v)));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time (s); the darkest " +
            "cell is %d %s in one second</text>%n", LEFT + PLOT_W / 2, axisY + 16, max, kind.unit));
        out.append("</svg>\n");
        return out.toString();
    }
}
