package dev.switchyard.wire.frame;

import java.nio.ByteOrder;

import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A request message names its part, its request's tokens and its caller in the fixed block's
 * padding; a frame of schema version 1 has none of them and reads as a message of its own.
 */
class RequestFramePartsTest
{
    static final int ROWS = 4;
    static final int D = 8;

    private static int write(final RequestFrame frame, final UnsafeBuffer buffer)
    {
        return frame.write(buffer, 0, 5, 42, 0, 3, 0, false, true, ROWS, D, new float[ROWS * D], 0, null, 0);
    }

    @Test
    void partsTokensAndCallerTravel()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RequestFrame writer = new RequestFrame();
        final int length = write(writer, buffer);
        writer.markPart(3, 20_000, -7);
        final RequestFrame reader = new RequestFrame();
        assertEquals(BlockStatus.OK, reader.wrap(buffer, 0, length));
        assertEquals(3, reader.part());
        assertEquals(20_000, reader.requestTokens());
        assertEquals(-7, reader.caller());
        assertEquals(42, reader.requestId());
        assertEquals(ROWS, reader.rows());
        assertEquals(WireLayout.requestFrameLength(ROWS, D, false), length, "the block length is unchanged");
    }

    @Test
    void aFrameWrittenWithoutPartsIsAMessageOfItsOwn()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        buffer.setMemory(0, 4096, (byte)0x5A);  // whatever the buffer held before
        final int length = write(new RequestFrame(), buffer);
        final RequestFrame reader = new RequestFrame();
        assertEquals(BlockStatus.OK, reader.wrap(buffer, 0, length));
        assertEquals(0, reader.part());
        assertEquals(0, reader.requestTokens());
        assertEquals(0, reader.caller());
    }

    @Test
    void aVersionOneFrameHasNoPartsWhateverItsPaddingHolds()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RequestFrame writer = new RequestFrame();
        final int length = write(writer, buffer);
        writer.markPart(9, 99_999, 1234);  // padding a version-1 writer never meant
        buffer.putShort(6, (short)1, ByteOrder.LITTLE_ENDIAN);  // the header's schema version
        final RequestFrame reader = new RequestFrame();
        assertEquals(BlockStatus.OK, reader.wrap(buffer, 0, length));
        assertEquals(0, reader.part());
        assertEquals(0, reader.requestTokens());
        assertEquals(0, reader.caller());
        assertEquals(42, reader.requestId());
    }

    @Test
    void aPartNumberBeyondTheWireIsRefused()
    {
        final RequestFrame writer = new RequestFrame();
        write(writer, new UnsafeBuffer(new byte[4096]));
        assertThrows(IllegalArgumentException.class, () -> writer.markPart(RequestFrame.MAX_PART + 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> writer.markPart(-1, 1, 0));
    }
}
