package dev.switchyard.wire.frame;

import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.ExpertBlockEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static dev.switchyard.wire.frame.FrameBytes.assertSameBits;
import static dev.switchyard.wire.frame.FrameBytes.cut;
import static dev.switchyard.wire.frame.FrameBytes.floats;
import static dev.switchyard.wire.frame.FrameBytes.putInt;
import static dev.switchyard.wire.frame.FrameBytes.putShort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** An expert block written is read back field for field and bit for bit; any other bytes are refused with a cause. */
class ExpertBlockFrameTest
{
    static final int ROWS = 3;
    static final int COLS = 5;
    static final int FIELDS = MessageHeaderDecoder.ENCODED_LENGTH;

    private static int writeSmall(final UnsafeBuffer buffer)
    {
        return new ExpertBlockFrame().write(buffer, 0, 11, 12, 1, 2, 3, ROWS, COLS, BlockStatus.OK,
            floats(ROWS * COLS, 1), 0);
    }

    private static void assertRoundTrip(
        final int offset, final long groupId, final long replyTo, final int layer, final int expert, final int epoch,
        final int rows, final int cols, final BlockStatus status)
    {
        final float[] data = floats(7 + rows * cols, rows);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + (int)WireLayout.blockFrameLength(rows, cols)]);
        final int length = new ExpertBlockFrame().write(buffer, offset, groupId, replyTo, layer, expert, epoch, rows,
            cols, status, data, 7);
        assertEquals(WireLayout.blockFrameLength(rows, cols), length);
        final ExpertBlockFrame reader = new ExpertBlockFrame();
        assertEquals(BlockStatus.OK, reader.wrap(buffer, offset, length));
        assertNull(reader.fault());
        assertEquals(groupId, reader.groupId());
        assertEquals(replyTo, reader.replyTo());
        assertEquals(layer, reader.layer());
        assertEquals(expert, reader.expert());
        assertEquals(epoch, reader.epoch());
        assertEquals(rows, reader.rows());
        assertEquals(cols, reader.cols());
        assertEquals(status, reader.status());
        final float[] read = new float[3 + rows * cols];
        reader.readRows(read, 3);
        assertSameBits(data, 7, read, 3, rows * cols);
    }

    @Test
    void everyFieldAndEveryFloatBitTravels()
    {
        assertRoundTrip(0, 11, 12, 1, 2, 3, ROWS, COLS, BlockStatus.OK);
        assertRoundTrip(40, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 2, 8,
            BlockStatus.BAD_INPUT);
    }

    @Test
    void edgeSizesTravel()
    {
        assertRoundTrip(0, 1, 2, 0, 0, 0, 0, 16, BlockStatus.OK);
        assertRoundTrip(0, 1, 2, 0, 0, 0, 1, 16, BlockStatus.OK);
        assertRoundTrip(0, 1, 2, 0, 0, 0, 1, 1, BlockStatus.OK);
        assertRoundTrip(8, 1, 2, 0, 0, 0, 256, 4096, BlockStatus.OK);  // a 4 MiB block
    }

    @Test
    void everyStatusTravels()
    {
        for (final BlockStatus status : BlockStatus.values())
        {
            if (status != BlockStatus.NULL_VAL)
            {
                assertRoundTrip(0, 1, 2, 0, 0, 0, 1, 2, status);
            }
        }
    }

    @Test
    void aFrameCutAtAnyLengthIsRefused()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = writeSmall(buffer);
        final ExpertBlockFrame reader = new ExpertBlockFrame();
        for (int cut = 0; cut < length; cut++)
        {
            final BlockStatus status = reader.wrap(cut(buffer, cut), 0, cut);
            if (cut < WireLayout.BLOCK_HEADER_LENGTH)
            {
                assertEquals(BlockStatus.MALFORMED, status, "cut at " + cut);
                assertEquals(FrameFault.TOO_SHORT, reader.fault(), "cut at " + cut);
            }
            else
            {
                // The header is whole: the sender can still be named and answered.
                assertEquals(BlockStatus.BAD_SHAPE, status, "cut at " + cut);
                assertEquals(FrameFault.BAD_SHAPE, reader.fault(), "cut at " + cut);
                assertEquals(11, reader.groupId());
            }
        }
        assertEquals(BlockStatus.OK, reader.wrap(cut(buffer, length), 0, length));
    }

    @Test
    void aByteMoreThanTheShapeIsRefused()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = writeSmall(buffer);
        final ExpertBlockFrame reader = new ExpertBlockFrame();
        assertEquals(BlockStatus.BAD_SHAPE, reader.wrap(buffer, 0, length + 1));
        assertEquals(FrameFault.BAD_SHAPE, reader.fault());
    }

    @Test
    void aWrongBlockLengthIsRefused()
    {
        for (final int blockLength : new int[] {0, ExpertBlockEncoder.BLOCK_LENGTH - 1,
            ExpertBlockEncoder.BLOCK_LENGTH + 1, 0xFFFF})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = writeSmall(buffer);
            putShort(buffer, FrameBytes.BLOCK_LENGTH_AT, blockLength);
            final ExpertBlockFrame reader = new ExpertBlockFrame();
            assertEquals(BlockStatus.MALFORMED, reader.wrap(cut(buffer, length), 0, length));
            assertEquals(FrameFault.BAD_BLOCK_LENGTH, reader.fault(), "block length " + blockLength);
        }
    }

    @Test
    void unknownTemplatesAndSchemasAreRefused()
    {
        for (final int[] ids : new int[][] {{ExpertBlockEncoder.TEMPLATE_ID, ExpertBlockEncoder.SCHEMA_ID + 1},
            {ExpertBlockEncoder.TEMPLATE_ID, 0}, {0, ExpertBlockEncoder.SCHEMA_ID}, {99, ExpertBlockEncoder.SCHEMA_ID},
            {0xFFFF, 0xFFFF}})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = writeSmall(buffer);
            putShort(buffer, FrameBytes.TEMPLATE_ID_AT, ids[0]);
            putShort(buffer, FrameBytes.SCHEMA_ID_AT, ids[1]);
            final ExpertBlockFrame reader = new ExpertBlockFrame();
            assertEquals(BlockStatus.MALFORMED, reader.wrap(cut(buffer, length), 0, length));
            assertEquals(FrameFault.UNKNOWN_MESSAGE, reader.fault(), "template " + ids[0] + ", schema " + ids[1]);
        }
    }

    @Test
    void anotherMessageIsRefused()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = new RequestFrame().write(buffer, 0, 1, 2, 0, 0, 0, false, false, ROWS, COLS,
            floats(ROWS * COLS, 2), 0, null, 0);
        final ExpertBlockFrame reader = new ExpertBlockFrame();
        assertEquals(BlockStatus.MALFORMED, reader.wrap(cut(buffer, length), 0, length));
        assertEquals(FrameFault.UNKNOWN_MESSAGE, reader.fault());
    }

    @Test
    void shapesThatOverflowOrAreNegativeAreRefused()
    {
        // 65536 x 65536 floats is 2^34 bytes: in 32 bits the product would be 0 and match a header-only frame.
        final int[][] shapes = {{65_536, 65_536}, {-1, COLS}, {ROWS, -1}, {Integer.MIN_VALUE, Integer.MIN_VALUE},
            {Integer.MAX_VALUE, Integer.MAX_VALUE}, {1 << 30, 4}};
        for (final int[] shape : shapes)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = new ExpertBlockFrame().write(buffer, 0, 1, 2, 0, 0, 0, 0, 0, BlockStatus.OK, null, 0);
            putInt(buffer, FIELDS + ExpertBlockEncoder.rowsEncodingOffset(), shape[0]);
            putInt(buffer, FIELDS + ExpertBlockEncoder.colsEncodingOffset(), shape[1]);
            final ExpertBlockFrame reader = new ExpertBlockFrame();
            assertEquals(BlockStatus.BAD_SHAPE, reader.wrap(cut(buffer, length), 0, length),
                shape[0] + " x " + shape[1]);
            assertEquals(FrameFault.BAD_SHAPE, reader.fault());
        }
    }

    @Test
    void anUnknownStatusReadsAsMalformed()
    {
        for (final int raw : new int[] {13, 100, 254, 255})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = writeSmall(buffer);
            buffer.putByte(FIELDS + ExpertBlockEncoder.statusEncodingOffset(), (byte)raw);
            final ExpertBlockFrame reader = new ExpertBlockFrame();
            assertEquals(BlockStatus.OK, reader.wrap(cut(buffer, length), 0, length), "status " + raw);
            assertEquals(BlockStatus.MALFORMED, reader.status(), "status " + raw);
        }
    }
}
