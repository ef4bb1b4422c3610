package dev.switchyard.wire.frame;

import java.nio.ByteOrder;

import dev.switchyard.wire.sbe.ExpertBlockEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import dev.switchyard.wire.sbe.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounds checks every reader relies on, at their edges and where 32-bit arithmetic would overflow. */
class WireChecksTest
{
    static final int SCHEMA = ExpertBlockEncoder.SCHEMA_ID;
    static final int TEMPLATE = ExpertBlockEncoder.TEMPLATE_ID;
    static final int BLOCK = ExpertBlockEncoder.BLOCK_LENGTH;
    static final int FIXED = MessageHeaderDecoder.ENCODED_LENGTH + BLOCK;

    private static MessageHeaderDecoder header(final int blockLength, final int templateId, final int schemaId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH]);
        new MessageHeaderEncoder().wrap(buffer, 0).blockLength(blockLength).templateId(templateId).schemaId(schemaId)
            .version(0);
        return new MessageHeaderDecoder().wrap(buffer, 0);
    }

    @Test
    void aVarLengthIsUnsigned()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[12]);
        for (final long value : new long[] {0, 1, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL})
        {
            buffer.putInt(8, (int)value, ByteOrder.LITTLE_ENDIAN);
            assertEquals(value, WireChecks.varLength(buffer, 8));
        }
    }

    @Test
    void theHeaderIsCheckedIdsFirstThenBlockLengthThenLength()
    {
        assertNull(WireChecks.header(header(BLOCK, TEMPLATE, SCHEMA), FIXED, SCHEMA, TEMPLATE, BLOCK));
        assertNull(WireChecks.header(header(BLOCK, TEMPLATE, SCHEMA), Integer.MAX_VALUE, SCHEMA, TEMPLATE, BLOCK));
        assertEquals(FrameFault.TOO_SHORT,
            WireChecks.header(header(BLOCK, TEMPLATE, SCHEMA), FIXED - 1, SCHEMA, TEMPLATE, BLOCK));
        assertEquals(FrameFault.TOO_SHORT, WireChecks.header(header(BLOCK, TEMPLATE, SCHEMA),
            MessageHeaderDecoder.ENCODED_LENGTH - 1, SCHEMA, TEMPLATE, BLOCK));
        assertEquals(FrameFault.TOO_SHORT, WireChecks.header(header(BLOCK, TEMPLATE, SCHEMA), Integer.MIN_VALUE,
            SCHEMA, TEMPLATE, BLOCK));
        assertEquals(FrameFault.UNKNOWN_MESSAGE,
            WireChecks.header(header(BLOCK, TEMPLATE, SCHEMA + 1), FIXED, SCHEMA, TEMPLATE, BLOCK));
        assertEquals(FrameFault.UNKNOWN_MESSAGE,
            WireChecks.header(header(BLOCK, TEMPLATE + 1, SCHEMA), FIXED, SCHEMA, TEMPLATE, BLOCK));
        assertEquals(FrameFault.UNKNOWN_MESSAGE,
            WireChecks.header(header(BLOCK + 1, 0xFFFF, SCHEMA), FIXED, SCHEMA, TEMPLATE, BLOCK));
        assertEquals(FrameFault.BAD_BLOCK_LENGTH,
            WireChecks.header(header(BLOCK + 1, TEMPLATE, SCHEMA), FIXED, SCHEMA, TEMPLATE, BLOCK));
        assertEquals(FrameFault.BAD_BLOCK_LENGTH,
            WireChecks.header(header(0xFFFF, TEMPLATE, SCHEMA), 1 << 20, SCHEMA, TEMPLATE, BLOCK));
        // A block that does not fit is short however long its header claims it is.
        assertEquals(FrameFault.TOO_SHORT,
            WireChecks.header(header(0xFFFF, TEMPLATE, SCHEMA), 0xFFFF, SCHEMA, TEMPLATE, 0xFFFF));
    }

    @Test
    void withinHoldsAtTheEdgesAndBeyond32Bits()
    {
        assertTrue(WireChecks.within(0, 100, 96, 4));
        assertTrue(WireChecks.within(0, 100, 100, 0));
        assertTrue(WireChecks.within(16, 100, 16, 100));
        assertFalse(WireChecks.within(0, 100, 97, 4));
        assertFalse(WireChecks.within(16, 100, 15, 1), "before the frame");
        assertFalse(WireChecks.within(16, 100, 16, 101));
        assertFalse(WireChecks.within(0, 100, 0, -1));
        assertFalse(WireChecks.within(0, 100, 4, 0xFFFF_FFFFL), "a length that would wrap in 32 bits");
        assertFalse(WireChecks.within(0, 100, 4, 0xFFFF_FFFCL));
        // A frame that ends past Integer.MAX_VALUE: the sum is not taken in 32 bits.
        assertTrue(WireChecks.within(Integer.MAX_VALUE - 10, 10, Integer.MAX_VALUE - 5, 5));
        assertFalse(WireChecks.within(Integer.MAX_VALUE - 10, 10, Integer.MAX_VALUE - 5, 6));
    }

    @Test
    void onlyPrintableAsciiPasses()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
        for (int b = 0; b < 256; b++)
        {
            buffer.putByte(2, (byte)b);
            assertEquals(b >= 0x20 && b <= 0x7E, WireChecks.printableAscii(buffer, 2, 1), "byte " + b);
        }
        assertTrue(WireChecks.printableAscii(buffer, 0, 0), "no bytes");
    }
}
