package dev.switchyard.tools.record;

import java.util.List;

/**
 * A recording of a language model's text traffic, read whole (text recordings are small: JSON, no tensors).
 *
 * @param model       the served model's name
 * @param startEpochNs the wall clock when it started
 * @param exchanges   in arrival order
 * @param lostRecords exchanges the recorder dropped or could not write
 * @param damage      where the readable part ends early, or null
 */
public record TextRecording(RecordingInfo info, String model, long startEpochNs, List<TextExchange> exchanges,
    long lostRecords, Damage damage)
{
    /** From the first arrival to the last, ns. */
    public long spanNs()
    {
        return exchanges.isEmpty() ? 0 : exchanges.getLast().arrivalNs() - exchanges.getFirst().arrivalNs();
    }
}
