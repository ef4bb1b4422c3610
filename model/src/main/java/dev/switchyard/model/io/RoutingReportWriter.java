package dev.switchyard.model.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import dev.switchyard.wire.BadInputException;

/**
 * Writes a routing report, streaming (a report can have millions of tokens):
 * <pre>
 * {"capacity": [C per group], "aux_loss": [per group],
 *  "expert": [[e1, e2], ...], "position": [[p1, p2], ...], "gate": [[g1, g2], ...]}
 * </pre>
 * Gates are written with {@link Float#toString(float)}, the shortest decimal that reads back as the
 * same float; a gate whose expert is -1 is written as 0.0.
 */
public final class RoutingReportWriter
{
    private RoutingReportWriter()
    {
    }

    /** Writes {@code report} to {@code file}. */
    public static void write(final Path file, final RoutingReport report)
    {
        write(file, report.capacity(), report.auxLoss(), report.expert1(), report.expert2(), report.position1(),
            report.position2(), report.gate1(), report.gate2());
    }

    /**
     * Writes a report from plain arrays ([groups] for the first two, [tokens] for the rest).
     *
     * @throws BadInputException naming the file when it cannot be written, or the group or token whose
     *                           loss or gate is not finite (JSON cannot hold it)
     */
    public static void write(
        final Path file,
        final int[] capacity,
        final double[] auxLoss,
        final int[] expert1,
        final int[] expert2,
        final int[] position1,
        final int[] position2,
        final float[] gate1,
        final float[] gate2)
    {
        // Validate the shapes before creating anything on disk.
        new RoutingReport(capacity, auxLoss, expert1, expert2, position1, position2, gate1, gate2);
        final Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try
        {
            try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8))
            {
                write(out, capacity, auxLoss, expert1, expert2, position1, position2, gate1, gate2);
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot write routing report " + file + ": " + ex, ex);
        }
        finally
        {
            try
            {
                Files.deleteIfExists(partial);
            }
            catch (final IOException ignored)
            {
                // The write error, if any, is the one worth reporting.
            }
        }
    }

    /** Writes a report to {@code out}, which should be buffered; {@code out} is not closed. */
    public static void write(
        final Writer out,
        final int[] capacity,
        final double[] auxLoss,
        final int[] expert1,
        final int[] expert2,
        final int[] position1,
        final int[] position2,
        final float[] gate1,
        final float[] gate2) throws IOException
    {
        new RoutingReport(capacity, auxLoss, expert1, expert2, position1, position2, gate1, gate2);
        out.write("{\"capacity\": [");
        for (int g = 0; g < capacity.length; g++)
        {
            out.write(g == 0 ? "" : ", ");
            out.write(Integer.toString(capacity[g]));
        }
        out.write("],\n \"aux_loss\": [");
        for (int g = 0; g < auxLoss.length; g++)
        {
            if (!Double.isFinite(auxLoss[g]))
            {
                throw new BadInputException("routing report: aux_loss of group " + g + " is " + auxLoss[g]);
            }
            out.write(g == 0 ? "" : ", ");
            out.write(Double.toString(auxLoss[g]));
        }
        out.write("],\n \"expert\": [");
        pairs(out, expert1, expert2);
        out.write("],\n \"position\": [");
        pairs(out, position1, position2);
        out.write("],\n \"gate\": [");
        for (int t = 0; t < gate1.length; t++)
        {
            out.write(t == 0 ? "[" : ", [");
            out.write(gate(t, expert1[t], gate1[t]));
            out.write(", ");
            out.write(gate(t, expert2[t], gate2[t]));
            out.write(']');
        }
        out.write("]}\n");
    }

    private static void pairs(final Writer out, final int[] first, final int[] second) throws IOException
    {
        for (int t = 0; t < first.length; t++)
        {
            out.write(t == 0 ? "[" : ", [");
            out.write(Integer.toString(first[t]));
            out.write(", ");
            out.write(Integer.toString(second[t]));
            out.write(']');
        }
    }

    private static String gate(final int token, final int expert, final float gate)
    {
        if (expert < 0)
        {
            return "0.0";
        }
        if (!Float.isFinite(gate))
        {
            throw new BadInputException("routing report: gate of token " + token + " is " + gate);
        }
        return Float.toString(gate);
    }
}
