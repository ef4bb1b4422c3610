package dev.switchyard.wire.frame;

import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.InferRequestEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static dev.switchyard.wire.frame.FrameBytes.assertSameBits;
import static dev.switchyard.wire.frame.FrameBytes.cut;
import static dev.switchyard.wire.frame.FrameBytes.floats;
import static dev.switchyard.wire.frame.FrameBytes.putInt;
import static dev.switchyard.wire.frame.FrameBytes.putShort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request written is read back field for field and bit for bit, with and without importance; any
 * other bytes are refused with a cause, and where the ids are whole they can still be answered.
 * Parts, request tokens and callers are {@link RequestFramePartsTest}'s.
 */
class RequestFrameTest
{
    static final int ROWS = 3;
    static final int COLS = 4;
    static final int FIELDS = MessageHeaderDecoder.ENCODED_LENGTH;
    static final long CLIENT = 0x1234_5678_9ABCL;
    static final long REQUEST = -77;

    private static int writeSmall(final UnsafeBuffer buffer, final boolean importance)
    {
        return new RequestFrame().write(buffer, 0, CLIENT, REQUEST, 2, 9, 1000, true, false, ROWS, COLS,
            floats(ROWS * COLS, 3), 0, importance ? floats(ROWS, 4) : null, 0);
    }

    private static RequestFrame assertRoundTrip(
        final int offset, final long clientId, final long requestId, final int layer, final long groupOrdinalBase,
        final long deadlineMicros, final boolean wantRouting, final boolean keepApart, final int onUnavailable,
        final int rows, final int cols, final boolean withImportance)
    {
        final float[] tokens = floats(5 + rows * cols, rows + 17L * cols);
        final float[] importance = withImportance ? floats(2 + rows, rows) : null;
        final UnsafeBuffer buffer =
            new UnsafeBuffer(new byte[offset + (int)WireLayout.requestFrameLength(rows, cols, withImportance)]);
        final RequestFrame writer = new RequestFrame();
        final int length = writer.write(buffer, offset, clientId, requestId, layer, groupOrdinalBase, deadlineMicros,
            wantRouting, keepApart, onUnavailable, rows, cols, tokens, 5, importance, 2);
        assertEquals(WireLayout.requestFrameLength(rows, cols, withImportance), length);
        final RequestFrame reader = new RequestFrame();
        assertEquals(BlockStatus.OK, reader.wrap(buffer, offset, length));
        assertNull(reader.fault());
        assertEquals(clientId, reader.clientId());
        assertEquals(requestId, reader.requestId());
        assertEquals(layer, reader.layer());
        assertEquals(groupOrdinalBase, reader.groupOrdinalBase());
        assertEquals(deadlineMicros, reader.deadlineMicros());
        assertEquals(wantRouting, reader.wantRouting());
        assertEquals(keepApart, reader.keepApart());
        assertEquals(onUnavailable, reader.onUnavailable());
        assertEquals(rows, reader.rows());
        assertEquals(cols, reader.cols());
        assertEquals(withImportance, reader.hasImportance());
        final float[] read = new float[1 + rows * cols];
        reader.readTokens(0, rows, read, 1);
        assertSameBits(tokens, 5, read, 1, rows * cols);
        if (withImportance)
        {
            final float[] readImportance = new float[rows];
            reader.readImportance(0, rows, readImportance, 0);
            assertSameBits(importance, 2, readImportance, 0, rows);
        }
        return reader;
    }

    @Test
    void everyFieldAndEveryFloatBitTravels()
    {
        assertRoundTrip(0, CLIENT, REQUEST, 2, 9, 1000, true, false, RequestFrame.ON_UNAVAILABLE_DEFAULT, ROWS, COLS,
            false);
        assertRoundTrip(24, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, false,
            true, RequestFrame.ON_UNAVAILABLE_WAIT, ROWS, COLS, true);
        assertRoundTrip(8, -1, 0, Integer.MIN_VALUE, -1, -1, true, true, RequestFrame.ON_UNAVAILABLE_DROP, 2, 16,
            true);
    }

    @Test
    void edgeSizesTravel()
    {
        assertRoundTrip(0, 1, 2, 0, 0, 0, false, false, 0, 0, COLS, false);
        assertRoundTrip(0, 1, 2, 0, 0, 0, false, false, 0, 0, COLS, true);
        assertRoundTrip(0, 1, 2, 0, 0, 0, false, false, 0, 1, COLS, true);
        assertRoundTrip(0, 1, 2, 0, 0, 0, false, false, 0, 1, 1, false);
        assertRoundTrip(8, 1, 2, 0, 0, 0, false, false, 0, 1024, 1024, true);  // a 4 MiB request
    }

    @Test
    void anyRunOfRowsReadsBack()
    {
        final float[] tokens = floats(ROWS * COLS, 3);
        final float[] importance = floats(ROWS, 4);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = writeSmall(buffer, true);
        final RequestFrame reader = new RequestFrame();
        assertEquals(BlockStatus.OK, reader.wrap(cut(buffer, length), 0, length));
        for (int first = 0; first <= ROWS; first++)
        {
            for (int count = 0; first + count <= ROWS; count++)
            {
                final float[] read = new float[count * COLS];
                reader.readTokens(first, count, read, 0);
                assertSameBits(tokens, first * COLS, read, 0, count * COLS);
                final float[] readImportance = new float[count];
                reader.readImportance(first, count, readImportance, 0);
                assertSameBits(importance, first, readImportance, 0, count);
            }
        }
    }

    @Test
    void aFrameCutAtAnyLengthIsRefused()
    {
        for (final boolean importance : new boolean[] {false, true})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = writeSmall(buffer, importance);
            final RequestFrame reader = new RequestFrame();
            for (int cut = 0; cut < length; cut++)
            {
                final BlockStatus status = reader.wrap(cut(buffer, cut), 0, cut);
                if (cut < WireLayout.REQUEST_HEADER_LENGTH)
                {
                    assertEquals(BlockStatus.MALFORMED, status, "cut at " + cut);
                    assertEquals(FrameFault.TOO_SHORT, reader.fault(), "cut at " + cut);
                }
                else
                {
                    assertEquals(BlockStatus.BAD_SHAPE, status, "cut at " + cut);
                    assertEquals(FrameFault.BAD_SHAPE, reader.fault(), "cut at " + cut);
                    assertEquals(CLIENT, reader.clientId());
                    assertEquals(REQUEST, reader.requestId());
                }
            }
            assertEquals(BlockStatus.OK, reader.wrap(cut(buffer, length), 0, length));
            assertEquals(BlockStatus.BAD_SHAPE, reader.wrap(buffer, 0, length + 1), "a byte too many");
        }
    }

    @Test
    void theImportanceFlagMustMatchTheLength()
    {
        final UnsafeBuffer without = new UnsafeBuffer(new byte[1024]);
        final int withoutLength = writeSmall(without, false);
        without.putByte(FIELDS + InferRequestEncoder.flagsEncodingOffset(), (byte)1);  // importance, no values
        final RequestFrame reader = new RequestFrame();
        assertEquals(BlockStatus.BAD_SHAPE, reader.wrap(cut(without, withoutLength), 0, withoutLength));
        assertEquals(FrameFault.BAD_SHAPE, reader.fault());

        final UnsafeBuffer with = new UnsafeBuffer(new byte[1024]);
        final int withLength = writeSmall(with, true);
        with.putByte(FIELDS + InferRequestEncoder.flagsEncodingOffset(), (byte)0);
        assertEquals(BlockStatus.BAD_SHAPE, reader.wrap(cut(with, withLength), 0, withLength));
        assertEquals(FrameFault.BAD_SHAPE, reader.fault());
    }

    @Test
    void aWrongBlockLengthIsRefusedButItsIdsCanBeAnswered()
    {
        for (final int blockLength : new int[] {0, InferRequestEncoder.BLOCK_LENGTH - 1,
            InferRequestEncoder.BLOCK_LENGTH + 1, 0xFFFF})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = writeSmall(buffer, false);
            putShort(buffer, FrameBytes.BLOCK_LENGTH_AT, blockLength);
            final RequestFrame reader = new RequestFrame();
            assertEquals(BlockStatus.BAD_SHAPE, reader.wrap(cut(buffer, length), 0, length));
            assertEquals(FrameFault.BAD_BLOCK_LENGTH, reader.fault(), "block length " + blockLength);
            assertEquals(CLIENT, reader.clientId());
            assertEquals(REQUEST, reader.requestId());
        }
    }

    @Test
    void unknownTemplatesAndSchemasAreRefused()
    {
        for (final int[] ids : new int[][] {{InferRequestEncoder.TEMPLATE_ID, InferRequestEncoder.SCHEMA_ID + 1},
            {InferRequestEncoder.TEMPLATE_ID, 0}, {0, InferRequestEncoder.SCHEMA_ID},
            {99, InferRequestEncoder.SCHEMA_ID}, {0xFFFF, 0xFFFF}})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = writeSmall(buffer, false);
            putShort(buffer, FrameBytes.TEMPLATE_ID_AT, ids[0]);
            putShort(buffer, FrameBytes.SCHEMA_ID_AT, ids[1]);
            final RequestFrame reader = new RequestFrame();
            assertEquals(BlockStatus.MALFORMED, reader.wrap(cut(buffer, length), 0, length));
            assertEquals(FrameFault.UNKNOWN_MESSAGE, reader.fault(), "template " + ids[0] + ", schema " + ids[1]);
        }
    }

    @Test
    void anotherMessageIsRefused()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = new ExpertBlockFrame().write(buffer, 0, 1, 2, 0, 0, 0, ROWS, COLS, BlockStatus.OK,
            floats(ROWS * COLS, 2), 0);
        final RequestFrame reader = new RequestFrame();
        assertEquals(BlockStatus.MALFORMED, reader.wrap(cut(buffer, length), 0, length));
        assertEquals(FrameFault.UNKNOWN_MESSAGE, reader.fault());
    }

    @Test
    void shapesThatOverflowOrAreNegativeAreRefused()
    {
        // In 32 bits each of these would come to the length of a header-only frame.
        final int[][] shapes = {{65_536, 65_536, 0}, {65_536, 65_535, 1}, {1 << 30, 4, 0}, {-1, COLS, 0},
            {ROWS, -1, 0}, {-1, -1, 1}, {Integer.MIN_VALUE, Integer.MIN_VALUE, 0},
            {Integer.MAX_VALUE, Integer.MAX_VALUE, 1}};
        for (final int[] shape : shapes)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = new RequestFrame().write(buffer, 0, CLIENT, REQUEST, 0, 0, 0, false, false, 0, 0,
                new float[0], 0, null, 0);
            putInt(buffer, FIELDS + InferRequestEncoder.rowsEncodingOffset(), shape[0]);
            putInt(buffer, FIELDS + InferRequestEncoder.colsEncodingOffset(), shape[1]);
            buffer.putByte(FIELDS + InferRequestEncoder.flagsEncodingOffset(), (byte)shape[2]);
            final RequestFrame reader = new RequestFrame();
            assertEquals(BlockStatus.BAD_SHAPE, reader.wrap(cut(buffer, length), 0, length),
                shape[0] + " x " + shape[1] + (shape[2] == 1 ? " with importance" : ""));
            assertEquals(FrameFault.BAD_SHAPE, reader.fault());
            assertEquals(CLIENT, reader.clientId());
        }
    }

    @Test
    void flagsOutsideTheSchemaAreIgnored()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = writeSmall(buffer, false);
        final int flags = FIELDS + InferRequestEncoder.flagsEncodingOffset();
        buffer.putByte(flags, (byte)(buffer.getByte(flags) | 0xE0));
        final RequestFrame reader = new RequestFrame();
        assertEquals(BlockStatus.OK, reader.wrap(cut(buffer, length), 0, length));
        assertTrue(reader.wantRouting());
        assertFalse(reader.keepApart());
        assertFalse(reader.hasImportance());
    }
}
