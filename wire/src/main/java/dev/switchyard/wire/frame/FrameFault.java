package dev.switchyard.wire.frame;

import java.util.Locale;

/**
 * Why a received frame was not taken. Every reader names one when it refuses a frame, so that a
 * receiver can count frames per peer and cause, and answer the sender where it can be named.
 */
public enum FrameFault
{
    /** Shorter than the headers its message type needs. */
    TOO_SHORT,
    /** Another schema, or a message type this receiver does not take. */
    UNKNOWN_MESSAGE,
    /** The SBE header's block length is not the schema's. */
    BAD_BLOCK_LENGTH,
    /** A length field points past the end of the frame, or beyond what the field may hold. */
    BAD_LENGTH_FIELD,
    /** Rows, columns (and flags) disagree with the frame's length, or are negative. */
    BAD_SHAPE,
    /** A reply channel that is not a usable Aeron udp or ipc channel. */
    BAD_CHANNEL,
    /** Well formed, but names a sender or a request this receiver does not know. */
    UNKNOWN_SENDER,
    /** Reading or handling the frame threw: a defect, counted so that it cannot pass unseen. */
    EXCEPTION;

    private static final FrameFault[] VALUES = values();

    public static FrameFault of(final int ordinal)
    {
        return VALUES[ordinal];
    }

    public static int count()
    {
        return VALUES.length;
    }

    /** The label used in metrics: {@code too_short}, {@code bad_length_field}... */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
