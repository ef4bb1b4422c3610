package dev.switchyard.tools.record;

import java.util.List;

import dev.switchyard.node.record.RecordedModel;

/**
 * The readable content of one recording.
 *
 * @param requests    in arrival order
 * @param unreadable  request frames that were malformed when they arrived (answered bad input), not replayable
 * @param lostRecords records the recorder could not write (the archive fell behind)
 * @param damage      where the readable part ends early, or null when the recording was read whole
 */
public record Recording(
    RecordingInfo info,
    RecordedModel model,
    List<RecordedRequest> requests,
    int unreadable,
    long lostRecords,
    Damage damage)
{
    public long tokens()
    {
        long n = 0;
        for (final RecordedRequest r : requests)
        {
            n += r.rows();
        }
        return n;
    }

    /** From the first arrival to the last answer, ns. */
    public long durationNs()
    {
        long end = 0;
        for (final RecordedRequest r : requests)
        {
            end = Math.max(end, r.arrivalNs() + Math.max(0, r.latencyNs()));
        }
        return end;
    }
}
