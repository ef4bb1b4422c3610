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
 * Writes the routing report of a checkpoint's layer, k entries per token (docs/contracts.md §9):
 * <pre>
 * {"expert": [[e₁, ..., e_k], ...], "gate": [[g₁, ..., g_k], ...]}
 * </pre>
 * A dropped assignment is expert −1 with gate 0.0. Gates are written with {@link Float#toString(float)},
 * the shortest decimal that reads back as the same float.
 */
public final class TopKReportWriter
{
    private TopKReportWriter()
    {
    }

    /**
     * @param expert [tokens, k]
     * @param gate   [tokens, k]
     * @throws BadInputException naming the file when it cannot be written, or the token whose gate is not finite
     */
    public static void write(final Path file, final int tokens, final int k, final int[] expert, final float[] gate)
    {
        if (expert.length != tokens * k || gate.length != tokens * k)
        {
            throw new IllegalArgumentException("routing report of " + tokens + " tokens, k " + k + ": " +
                expert.length + " experts, " + gate.length + " gates");
        }
        final Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try
        {
            try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8))
            {
                write(out, tokens, k, expert, gate);
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

    private static void write(final Writer out, final int tokens, final int k, final int[] expert, final float[] gate)
        throws IOException
    {
        out.write("{\"expert\": [");
        for (int t = 0; t < tokens; t++)
        {
            out.write(t == 0 ? "[" : ", [");
            for (int i = 0; i < k; i++)
            {
                out.write(i == 0 ? "" : ", ");
                out.write(Integer.toString(expert[t * k + i]));
            }
            out.write(']');
        }
        out.write("],\n \"gate\": [");
        for (int t = 0; t < tokens; t++)
        {
            out.write(t == 0 ? "[" : ", [");
            for (int i = 0; i < k; i++)
            {
                final float g = expert[t * k + i] < 0 ? 0f : gate[t * k + i];
                if (!Float.isFinite(g))
                {
                    throw new BadInputException("routing report: gate " + i + " of token " + t + " is " + g);
                }
                out.write(i == 0 ? "" : ", ");
                out.write(Float.toString(g));
            }
            out.write(']');
        }
        out.write("]}\n");
    }
}
