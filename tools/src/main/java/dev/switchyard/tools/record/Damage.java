package dev.switchyard.tools.record;

/**
 * Where and why a recording stops being readable: everything before {@code position} was read.
 *
 * @param recordingId the recording
 * @param position    byte position in the recording of the first unreadable frame
 * @param what        truncated, corrupted or not a Switchyard recording, and the detail
 */
public record Damage(long recordingId, long position, String what)
{
    public String message()
    {
        return "recording " + recordingId + " " + what + " at byte position " + position;
    }
}
