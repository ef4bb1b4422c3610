package dev.switchyard.tools.lmload;

/**
 * One request of a public trace.
 *
 * @param timeNs time since the trace's first request, ns (before --speed)
 * @param input  prompt tokens as the trace gives them
 * @param output output tokens as the trace gives them (at least 1: rows with none are skipped)
 */
public record TraceEntry(long timeNs, int input, int output)
{
}
