package dev.switchyard.tools.lmload;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import dev.switchyard.wire.BadInputException;

/**
 * Reads a trace file of a {@link TraceFormat}: blank lines are passed over, a CSV's first line must be its header,
 * every other line is one request. The first malformed line stops the read with one error naming the file and the
 * line. Rows that produced no output token are skipped and counted; times become relative to the earliest request
 * (a trace out of time order is sorted, ties keep the file's order).
 */
public final class TraceFile
{
    private TraceFile()
    {
    }

    public static Trace read(final Path file, final TraceFormat format)
    {
        if (!Files.isRegularFile(file))
        {
            throw new BadInputException("--trace " + file + ": no such file");
        }
        final List<TraceEntry> entries = new ArrayList<>();
        long zeroOutput = 0;
        long first = Long.MAX_VALUE;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            boolean headerSeen = !format.hasHeader();
            int number = 0;
            String line;
            while ((line = in.readLine()) != null)
            {
                number++;
                if (number == 1 && line.startsWith("\uFEFF"))
                {
                    line = line.substring(1);
                }
                if (line.isBlank())
                {
                    continue;
                }
                final long[] row;
                try
                {
                    if (!headerSeen)
                    {
                        format.checkHeader(line.trim());
                        headerSeen = true;
                        continue;
                    }
                    row = format.row(line.trim());
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new BadInputException(String.format(Locale.ROOT, "trace %s line %d (%s): %s", file, number,
                        format.name().toLowerCase(Locale.ROOT), ex.getMessage()));
                }
                if (row[2] == 0)
                {
                    zeroOutput++;
                    continue;
                }
                first = Math.min(first, row[0]);
                entries.add(new TraceEntry(row[0], (int)row[1], (int)row[2]));
            }
        }
        catch (final IOException ex)
        {
            throw new BadInputException("--trace " + file + " cannot be read: " + ex.getMessage());
        }
        final long start = first;
        final List<TraceEntry> relative = new ArrayList<>(entries.size());
        for (final TraceEntry e : entries)
        {
            relative.add(new TraceEntry(e.timeNs() - start, e.input(), e.output()));
        }
        relative.sort(Comparator.comparingLong(TraceEntry::timeNs));
        return new Trace(file, format, List.copyOf(relative), zeroOutput);
    }
}
