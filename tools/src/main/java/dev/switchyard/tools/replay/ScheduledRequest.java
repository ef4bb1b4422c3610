package dev.switchyard.tools.replay;

import dev.switchyard.tools.record.RecordedRequest;

/**
 * A request to send at {@code offsetNs} after the run starts.
 *
 * @param tokens     [rows, d_model]
 * @param importance [rows] or null
 * @param expected   the recorded request and answer to compare with, or null (generated traffic)
 */
public record ScheduledRequest(
    long index,
    long offsetNs,
    int layer,
    boolean keepApart,
    boolean wantRouting,
    long deadlineMicros,
    int rows,
    float[] tokens,
    float[] importance,
    RecordedRequest expected)
{
}
