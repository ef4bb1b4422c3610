package dev.switchyard.tools.record;

/**
 * One recording as the archive's catalog describes it.
 *
 * @param startMs      epoch ms when it started
 * @param stopMs       epoch ms when it stopped, -1 when it never stopped cleanly (the node crashed)
 * @param stopPosition byte position where it stopped, -1 when unknown (still being recorded, or the node crashed)
 * @param recordingNow whether it is being recorded now: not stopped, and its archive still running
 */
public record RecordingInfo(
    long id,
    long startMs,
    long stopMs,
    long startPosition,
    long stopPosition,
    int initialTermId,
    int segmentLength,
    int termLength,
    int streamId,
    String channel,
    boolean recordingNow)
{
    public boolean stoppedCleanly()
    {
        return stopPosition >= 0;
    }

    /** Whether it ended without being stopped (its node or load generator crashed or was killed). */
    public boolean brokenOff()
    {
        return !stoppedCleanly() && !recordingNow;
    }
}
