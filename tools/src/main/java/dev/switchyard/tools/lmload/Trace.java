package dev.switchyard.tools.lmload;

import java.nio.file.Path;
import java.util.List;

/**
 * A trace file read whole: its requests in time order, times relative to the first.
 *
 * @param file       where it came from
 * @param format     how it was read
 * @param entries    the requests to send, by time
 * @param zeroOutput rows skipped because they produced no token (in BurstGPT: the trace's failed requests)
 */
public record Trace(Path file, TraceFormat format, List<TraceEntry> entries, long zeroOutput)
{
}
