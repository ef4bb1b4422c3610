package dev.switchyard.wire.frame;

import java.nio.ByteOrder;

import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

/**
 * Bounds checks on received frames, in 64-bit arithmetic: a length or count taken from the wire is
 * compared with the frame before anything is allocated or read, so that no value a peer sends can
 * overflow a check or reach an unchecked read of a generated decoder.
 */
final class WireChecks
{
    /** SBE var-data length prefixes are 4 bytes. */
    static final int VAR_LENGTH_PREFIX = 4;

    private WireChecks()
    {
    }

    /** The unsigned 32-bit var-data length at {@code index}, as a non-negative long. */
    static long varLength(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    }

    /**
     * Checks the SBE header of a frame of {@code length} bytes at {@code offset} ({@code header} is
     * wrapped there by the caller) against the message type the caller expects.
     *
     * @return null when the header names that type with its schema block length and the fixed block
     * fits in the frame; else the fault
     */
    static FrameFault header(
        final MessageHeaderDecoder header, final int length, final int schemaId, final int templateId,
        final int blockLength)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return FrameFault.TOO_SHORT;
        }
        if (header.schemaId() != schemaId || header.templateId() != templateId)
        {
            return FrameFault.UNKNOWN_MESSAGE;
        }
        if (header.blockLength() != blockLength)
        {
            return FrameFault.BAD_BLOCK_LENGTH;
        }
        if ((long)MessageHeaderDecoder.ENCODED_LENGTH + blockLength > length)
        {
            return FrameFault.TOO_SHORT;
        }
        return null;
    }

    /** Whether {@code [index, index + count)} lies inside the frame {@code [offset, offset + length)}. */
    static boolean within(final int offset, final int length, final long index, final long count)
    {
        return count >= 0 && index >= offset && index + count <= (long)offset + length;
    }

    /** Whether every byte of {@code [index, index + count)} is printable ASCII (what Aeron channels are). */
    static boolean printableAscii(final DirectBuffer buffer, final int index, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final byte b = buffer.getByte(index + i);
            if (b < 0x20 || b > 0x7E)
            {
                return false;
            }
        }
        return true;
    }
}
