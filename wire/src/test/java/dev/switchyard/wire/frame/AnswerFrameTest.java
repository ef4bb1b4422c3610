package dev.switchyard.wire.frame;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.InferAnswerEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static dev.switchyard.wire.frame.FrameBytes.assertSameBits;
import static dev.switchyard.wire.frame.FrameBytes.cut;
import static dev.switchyard.wire.frame.FrameBytes.floats;
import static dev.switchyard.wire.frame.FrameBytes.putInt;
import static dev.switchyard.wire.frame.FrameBytes.putShort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An answer written (an error, a result with or without its routing report) is read back field for
 * field and bit for bit; any other bytes are refused with a cause.
 */
class AnswerFrameTest
{
    static final int ROWS = 3;
    static final int COLS = 4;
    static final int GROUPS = 2;
    static final int FIELDS = MessageHeaderDecoder.ENCODED_LENGTH;
    static final int DETAIL_LENGTH_AT = FIELDS + InferAnswerEncoder.BLOCK_LENGTH;
    static final String DETAIL = "expert 3";

    /** A routing report of {@code rows} tokens in {@code groups} groups, seeded. */
    record Routing(int[] capacity, double[] auxLoss, int[] expert, int[] position, float[] gate)
    {
        static Routing of(final int rows, final int groups, final long seed)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final double[] auxLoss = random.doubles(groups).toArray();
            if (groups > 2)
            {
                auxLoss[0] = Double.longBitsToDouble(0x7FF8_0000_0000_1234L);  // a NaN with a payload
                auxLoss[1] = -0.0;
                auxLoss[2] = Double.MIN_VALUE;
            }
            return new Routing(random.ints(groups).toArray(), auxLoss, random.ints(2 * rows).toArray(),
                random.ints(2 * rows).toArray(), floats(2 * rows, seed));
        }

        void assertReadBy(final AnswerFrame reader, final int rows, final int groups)
        {
            final int[] readCapacity = new int[groups];
            final double[] readAuxLoss = new double[groups];
            final int[] readExpert = new int[2 * rows];
            final int[] readPosition = new int[2 * rows];
            final float[] readGate = new float[2 * rows];
            reader.readRouting(readCapacity, readAuxLoss, readExpert, readPosition, readGate);
            assertArrayEquals(capacity, readCapacity);
            assertArrayEquals(Arrays.stream(auxLoss).mapToLong(Double::doubleToRawLongBits).toArray(),
                Arrays.stream(readAuxLoss).mapToLong(Double::doubleToRawLongBits).toArray());
            assertArrayEquals(expert, readExpert);
            assertArrayEquals(position, readPosition);
            assertSameBits(gate, 0, readGate, 0, 2 * rows);
        }
    }

    private static int writeSmall(final UnsafeBuffer buffer, final boolean routing)
    {
        final Routing r = Routing.of(ROWS, GROUPS, 5);
        return new AnswerFrame().writeResult(buffer, 0, 7, 8, BlockStatus.DEGRADED, DETAIL, ROWS, COLS,
            floats(ROWS * COLS, 6), GROUPS, routing ? r.capacity() : null, r.auxLoss(), r.expert(), r.position(),
            r.gate());
    }

    private static AnswerFrame wrapped(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final AnswerFrame reader = new AnswerFrame();
        assertTrue(reader.wrap(new MessageHeaderDecoder(), buffer, offset, length), () -> "refused: " + reader.fault());
        return reader;
    }

    private static void assertResultRoundTrip(
        final int offset, final long clientId, final long requestId, final BlockStatus status, final String detail,
        final int rows, final int cols, final int groups, final boolean routing)
    {
        final float[] y = floats(rows * cols, 31L * rows + cols);
        final Routing r = Routing.of(rows, groups, rows + groups);
        final int detailLength = detail.getBytes(StandardCharsets.UTF_8).length;
        final int max = (int)AnswerFrame.maxLength(rows, cols, groups, detailLength);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + max]);
        final int length = new AnswerFrame().writeResult(buffer, offset, clientId, requestId, status, detail, rows,
            cols, y, groups, routing ? r.capacity() : null, r.auxLoss(), r.expert(), r.position(), r.gate());
        assertTrue(length <= max, "the largest length bounds every answer");
        final AnswerFrame reader = wrapped(cut(buffer, offset + length), offset, length);
        assertEquals(clientId, reader.clientId());
        assertEquals(requestId, reader.requestId());
        assertEquals(status, reader.status());
        assertEquals(detail, reader.detail());
        assertEquals(rows, reader.rows());
        assertEquals(cols, reader.cols());
        assertEquals(routing, reader.routing());
        assertEquals(routing ? groups : 0, reader.groups());
        final float[] read = new float[2 + rows * cols];
        reader.readOutputs(read, 2);
        assertSameBits(y, 0, read, 2, rows * cols);
        if (routing)
        {
            r.assertReadBy(reader, rows, groups);
        }
    }

    @Test
    void aResultTravelsFieldForFieldAndBitForBit()
    {
        assertResultRoundTrip(0, 7, 8, BlockStatus.OK, "", ROWS, COLS, GROUPS, false);
        assertResultRoundTrip(0, 7, 8, BlockStatus.OK, "", ROWS, COLS, GROUPS, true);
        assertResultRoundTrip(16, Long.MIN_VALUE, Long.MAX_VALUE, BlockStatus.DEGRADED, "experts 3, 5 unreachable",
            5, 8, 3, true);
        assertResultRoundTrip(8, -1, 0, BlockStatus.DEGRADED, "détail ünïcode ✓", 2, 2, 1, true);
    }

    @Test
    void theShortOverloadWritesAnOkResult()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final Routing r = Routing.of(ROWS, GROUPS, 9);
        final int length = new AnswerFrame().writeResult(buffer, 0, 1, 2, ROWS, COLS, floats(ROWS * COLS, 9),
            GROUPS, r.capacity(), r.auxLoss(), r.expert(), r.position(), r.gate());
        final AnswerFrame reader = wrapped(cut(buffer, length), 0, length);
        assertEquals(BlockStatus.OK, reader.status());
        assertEquals("", reader.detail());
        r.assertReadBy(reader, ROWS, GROUPS);
    }

    @Test
    void edgeSizesTravel()
    {
        assertResultRoundTrip(0, 1, 2, BlockStatus.OK, "", 0, COLS, 0, false);
        assertResultRoundTrip(0, 1, 2, BlockStatus.OK, "", 0, COLS, 0, true);
        assertResultRoundTrip(0, 1, 2, BlockStatus.OK, "", 1, COLS, 1, true);
        assertResultRoundTrip(0, 1, 2, BlockStatus.OK, "", 1, 1, 0, true);
        assertResultRoundTrip(0, 1, 2, BlockStatus.OK, "x".repeat(7), 1, 1, 1, true);  // detail padded to 8
        assertResultRoundTrip(8, 1, 2, BlockStatus.OK, "d".repeat(4096), 1024, 1024, 128, true);  // 4 MiB
    }

    @Test
    void aReportOfKEntriesPerTokenTravels()
    {
        for (final int k : new int[] {1, 4, 8})
        {
            final int rows = 5;
            final SplittableRandom random = new SplittableRandom(k);
            final int[] expert = random.ints(k * rows, -1, 64).toArray();
            final int[] position = random.ints(k * rows, -1, 64).toArray();
            final float[] gate = floats(k * rows, k);
            final float[] y = floats(rows * COLS, 3);
            final int max = (int)AnswerFrame.maxLength(rows, COLS, 1, 0, k);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[max]);
            final int length = new AnswerFrame().writeResult(buffer, 0, 1, 2, BlockStatus.OK, "", rows, COLS, y, 1,
                new int[] {9}, new double[] {0.5}, k, expert, position, gate);
            assertEquals(max, length, "k entries per token, no more");
            final AnswerFrame reader = wrapped(cut(buffer, length), 0, length);
            assertEquals(k, reader.entries());
            final int[] readExpert = new int[k * rows];
            final int[] readPosition = new int[k * rows];
            final float[] readGate = new float[k * rows];
            reader.readRouting(new int[1], new double[1], readExpert, readPosition, readGate);
            assertArrayEquals(expert, readExpert);
            assertArrayEquals(position, readPosition);
            assertSameBits(gate, 0, readGate, 0, k * rows);
        }
    }

    @Test
    void anErrorTravels()
    {
        for (final BlockStatus status : BlockStatus.values())
        {
            if (status == BlockStatus.NULL_VAL)
            {
                continue;
            }
            for (final String detail : new String[] {"", "e", "the expert is gone", "z".repeat(1000)})
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
                final int length = new AnswerFrame().writeError(buffer, 0, 3, 4, status, detail);
                assertEquals(0, length % 8, "padded like a result");
                final AnswerFrame reader = wrapped(cut(buffer, length), 0, length);
                assertEquals(3, reader.clientId());
                assertEquals(4, reader.requestId());
                assertEquals(status, reader.status());
                assertEquals(detail, reader.detail());
                assertEquals(0, reader.rows());
                assertEquals(0, reader.groups());
                assertFalse(reader.routing());
            }
        }
    }

    @Test
    void aFrameCutAtAnyLengthIsRefused()
    {
        for (final boolean routing : new boolean[] {false, true})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = writeSmall(buffer, routing);
            final AnswerFrame reader = new AnswerFrame();
            final MessageHeaderDecoder header = new MessageHeaderDecoder();
            for (int cut = 0; cut < length; cut++)
            {
                assertFalse(reader.wrap(header, cut(buffer, cut), 0, cut), "cut at " + cut);
                final FrameFault expected = cut < DETAIL_LENGTH_AT + WireChecks.VAR_LENGTH_PREFIX ?
                    FrameFault.TOO_SHORT : cut < DETAIL_LENGTH_AT + WireChecks.VAR_LENGTH_PREFIX + DETAIL.length() ?
                    FrameFault.BAD_LENGTH_FIELD : FrameFault.BAD_SHAPE;
                assertEquals(expected, reader.fault(), "cut at " + cut);
            }
            assertTrue(reader.wrap(header, cut(buffer, length), 0, length));
            assertFalse(reader.wrap(header, buffer, 0, length + 1), "a byte too many");
            assertEquals(FrameFault.BAD_SHAPE, reader.fault());
        }
    }

    @Test
    void detailLengthsPastTheFrameOrOverflowingAreRefused()
    {
        // The detail and its padding end at 56: a length of 15 ends at 57.
        for (final int detailLength : new int[] {15, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFF8})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = new AnswerFrame().writeError(buffer, 0, 3, 4, BlockStatus.TIMEOUT, "12345678");
            putInt(buffer, DETAIL_LENGTH_AT, detailLength);
            final AnswerFrame reader = new AnswerFrame();
            assertFalse(reader.wrap(new MessageHeaderDecoder(), cut(buffer, length), 0, length));
            assertEquals(FrameFault.BAD_LENGTH_FIELD, reader.fault(), "detail length " + detailLength);
        }
    }

    @Test
    void shapesThatDisagreeOverflowOrAreNegativeAreRefused()
    {
        // {rows, cols, groups, routing}: in 32 bits 65536 x 65536 floats would be 0 bytes.
        final int[][] shapes = {{65_536, 65_536, 0, 0}, {-1, COLS, 0, 0}, {ROWS, -1, 0, 0}, {0, 0, -1, 1},
            {0, 0, 1, 0}, {0, 0, 0, AnswerFrame.MAX_ENTRIES + 1}, {0, 0, 0, 255}, {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 1},
            {1 << 30, 1, 0, 1}, {0, 0, 1 << 30, 1}, {1, 1, 0, 0}};
        for (final int[] shape : shapes)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = new AnswerFrame().writeError(buffer, 0, 3, 4, BlockStatus.OK, "");
            putInt(buffer, FIELDS + InferAnswerEncoder.rowsEncodingOffset(), shape[0]);
            putInt(buffer, FIELDS + InferAnswerEncoder.colsEncodingOffset(), shape[1]);
            putInt(buffer, FIELDS + InferAnswerEncoder.groupsEncodingOffset(), shape[2]);
            buffer.putByte(FIELDS + InferAnswerEncoder.routingEncodingOffset(), (byte)shape[3]);
            final AnswerFrame reader = new AnswerFrame();
            assertFalse(reader.wrap(new MessageHeaderDecoder(), cut(buffer, length), 0, length),
                Arrays.toString(shape));
            assertEquals(FrameFault.BAD_SHAPE, reader.fault(), Arrays.toString(shape));
        }
    }

    @Test
    void aWrongBlockLengthIsRefused()
    {
        for (final int blockLength : new int[] {0, InferAnswerEncoder.BLOCK_LENGTH - 1,
            InferAnswerEncoder.BLOCK_LENGTH + 1, 0xFFFF})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = writeSmall(buffer, true);
            putShort(buffer, FrameBytes.BLOCK_LENGTH_AT, blockLength);
            final AnswerFrame reader = new AnswerFrame();
            assertFalse(reader.wrap(new MessageHeaderDecoder(), cut(buffer, length), 0, length));
            assertEquals(FrameFault.BAD_BLOCK_LENGTH, reader.fault(), "block length " + blockLength);
        }
    }

    @Test
    void unknownTemplatesAndSchemasAreRefused()
    {
        for (final int[] ids : new int[][] {{InferAnswerEncoder.TEMPLATE_ID, InferAnswerEncoder.SCHEMA_ID + 1},
            {InferAnswerEncoder.TEMPLATE_ID, 0}, {0, InferAnswerEncoder.SCHEMA_ID},
            {99, InferAnswerEncoder.SCHEMA_ID}, {0xFFFF, 0xFFFF}})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = writeSmall(buffer, true);
            putShort(buffer, FrameBytes.TEMPLATE_ID_AT, ids[0]);
            putShort(buffer, FrameBytes.SCHEMA_ID_AT, ids[1]);
            final AnswerFrame reader = new AnswerFrame();
            final MessageHeaderDecoder header = new MessageHeaderDecoder();
            assertFalse(reader.wrap(header, cut(buffer, length), 0, length));
            assertEquals(FrameFault.UNKNOWN_MESSAGE, reader.fault(), "template " + ids[0] + ", schema " + ids[1]);
            assertFalse(AnswerFrame.isAnswer(header));
        }
    }

    @Test
    void anotherMessageIsRefused()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = new HelloFrame().writeHeartbeat(buffer, 0, 5);
        final AnswerFrame reader = new AnswerFrame();
        assertFalse(reader.wrap(new MessageHeaderDecoder(), cut(buffer, length), 0, length));
        assertEquals(FrameFault.UNKNOWN_MESSAGE, reader.fault());
        assertEquals("", reader.detail(), "no detail is left from the frame before");
    }

    @Test
    void anUnknownStatusReadsAsMalformed()
    {
        for (final int raw : new int[] {13, 100, 254, 255})
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int length = writeSmall(buffer, false);
            buffer.putByte(FIELDS + InferAnswerEncoder.statusEncodingOffset(), (byte)raw);
            final AnswerFrame reader = wrapped(cut(buffer, length), 0, length);
            assertEquals(BlockStatus.MALFORMED, reader.status(), "status " + raw);
        }
    }
}
