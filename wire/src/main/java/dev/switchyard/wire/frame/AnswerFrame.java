package dev.switchyard.wire.frame;

import java.nio.ByteOrder;

import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.InferAnswerDecoder;
import dev.switchyard.wire.sbe.InferAnswerEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import dev.switchyard.wire.sbe.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes and reads {@code InferAnswer} frames. After the fixed block and the detail text, padded to
 * 8 bytes: [rows, cols] float32 outputs, then with routing capacity int32[groups], auxLoss
 * float32[groups], expert int32[rows, k], position int32[rows, k], gate float32[rows, k]. The
 * {@code routing} field is k, the entries per token (0: no routing): 2 for the seed's top-2 gating, a
 * checkpoint family's top-k otherwise.
 */
public final class AnswerFrame
{
    /** The most routing entries per token a frame can carry (a checkpoint's top-k is at most 8). */
    public static final int MAX_ENTRIES = 16;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final InferAnswerEncoder encoder = new InferAnswerEncoder();
    private final InferAnswerDecoder decoder = new InferAnswerDecoder();
    private DirectBuffer readBuffer;
    private int payloadIndex;
    private int headLength;
    private String detail;
    private FrameFault fault;

    /** The largest frame an answer of {@code rows x cols} with {@code groups} groups can need. */
    public static long maxLength(final int rows, final int cols, final int groups, final int detailLength)
    {
        return maxLength(rows, cols, groups, detailLength, 2);
    }

    /** As above, with {@code entries} routing entries per token. */
    public static long maxLength(final int rows, final int cols, final int groups, final int detailLength,
        final int entries)
    {
        return WireLayout.align(MessageHeaderEncoder.ENCODED_LENGTH + InferAnswerEncoder.BLOCK_LENGTH +
            InferAnswerEncoder.detailHeaderLength() + detailLength, 8) +
            ((long)rows * cols + 3L * groups + 3L * entries * rows) * Float.BYTES;
    }

    /** An answer without rows: an error named by {@code status} and explained by {@code detail}. */
    public int writeError(
        final MutableDirectBuffer buffer, final int offset, final long clientId, final long requestId,
        final BlockStatus status, final String detail)
    {
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .requestId(requestId)
            .rows(0)
            .cols(0)
            .groups(0)
            .status(status)
            .routing((short)0)
            .detail(detail);
        // Padded like a result, so that a reader finds the (empty) payload where it expects it.
        final int end = offset + WireLayout.align(encoder.limit() - offset, 8);
        for (int i = encoder.limit(); i < end; i++)
        {
            buffer.putByte(i, (byte)0);
        }
        return end - offset;
    }

    /**
     * A successful answer.
     *
     * @param y         [rows, cols] outputs
     * @param capacity  [groups], or null without routing
     * @param auxLoss   [groups]
     * @param expert    [rows, 2]
     * @param position  [rows, 2]
     * @param gate      [rows, 2]
     */
    public int writeResult(
        final MutableDirectBuffer buffer, final int offset, final long clientId, final long requestId,
        final int rows, final int cols, final float[] y,
        final int groups, final int[] capacity, final double[] auxLoss,
        final int[] expert, final int[] position, final float[] gate)
    {
        return writeResult(buffer, offset, clientId, requestId, BlockStatus.OK, "", rows, cols, y, groups, capacity,
            auxLoss, expert, position, gate);
    }

    /** A result with a status other than OK that still carries rows (DEGRADED), and its detail. */
    public int writeResult(
        final MutableDirectBuffer buffer, final int offset, final long clientId, final long requestId,
        final BlockStatus status, final String detail,
        final int rows, final int cols, final float[] y,
        final int groups, final int[] capacity, final double[] auxLoss,
        final int[] expert, final int[] position, final float[] gate)
    {
        return writeResult(buffer, offset, clientId, requestId, status, detail, rows, cols, y, groups, capacity,
            auxLoss, 2, expert, position, gate);
    }

    /** As above, with {@code entries} routing entries per token: expert, position, gate [rows, entries]. */
    public int writeResult(
        final MutableDirectBuffer buffer, final int offset, final long clientId, final long requestId,
        final BlockStatus status, final String detail,
        final int rows, final int cols, final float[] y,
        final int groups, final int[] capacity, final double[] auxLoss,
        final int entries, final int[] expert, final int[] position, final float[] gate)
    {
        final boolean routing = capacity != null;
        int at = offset + writeResultHead(buffer, offset, clientId, requestId, status, detail, rows, cols,
            routing ? groups : 0, routing ? entries : 0);
        FloatRows.write(buffer, at, y, 0, rows * cols);
        at += rows * cols * Float.BYTES;
        if (routing)
        {
            FloatRows.writeInts(buffer, at, capacity, 0, groups);
            at += groups * Integer.BYTES;
            for (int g = 0; g < groups; g++)
            {
                buffer.putDouble(at, auxLoss[g], ByteOrder.LITTLE_ENDIAN);
                at += Double.BYTES;
            }
            final int n = entries * rows;
            FloatRows.writeInts(buffer, at, expert, 0, n);
            at += n * Integer.BYTES;
            FloatRows.writeInts(buffer, at, position, 0, n);
            at += n * Integer.BYTES;
            FloatRows.write(buffer, at, gate, 0, n);
            at += n * Float.BYTES;
        }
        return at - offset;
    }

    /**
     * The head of a result, up to its output rows: what {@link #writeResult} writes before them, for a
     * writer that puts the rows and the routing report (when {@code entries} &gt; 0) after it itself.
     *
     * @return the head's length (the detail padded to 8 bytes)
     */
    public int writeResultHead(
        final MutableDirectBuffer buffer, final int offset, final long clientId, final long requestId,
        final BlockStatus status, final String detail, final int rows, final int cols, final int groups,
        final int entries)
    {
        if (entries != 0 && (entries < 1 || entries > MAX_ENTRIES))
        {
            throw new IllegalArgumentException(entries + " routing entries per token, 1.." + MAX_ENTRIES);
        }
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .requestId(requestId)
            .rows(rows)
            .cols(cols)
            .groups(groups)
            .status(status)
            .routing((short)entries)
            .detail(detail);
        return WireLayout.align(encoder.limit() - offset, 8);
    }

    public static boolean isAnswer(final MessageHeaderDecoder header)
    {
        return header.schemaId() == InferAnswerEncoder.SCHEMA_ID &&
            header.templateId() == InferAnswerEncoder.TEMPLATE_ID;
    }

    /**
     * @return whether the frame is a complete answer: its length is exactly the detail and the
     * payload that rows, cols, groups and the routing flag call for ({@link #fault()} says why not)
     */
    public boolean wrap(final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final long frameLength = wrapHead(header, buffer, offset, length);
        if (frameLength < 0)
        {
            return false;
        }
        if (frameLength != length)
        {
            fault = FrameFault.BAD_SHAPE;
            return false;
        }
        return true;
    }

    /**
     * Reads the head of an answer (header, fixed block, detail) from its first {@code length} bytes: the
     * whole frame, or the first fragment of one, whose rows a reader then takes from each fragment as it
     * comes. The accessors then describe the answer; {@link #readOutputs} and {@link #readRouting} need
     * the whole frame ({@link #wrap}).
     *
     * @return the whole frame's length as its head calls for it, or -1 ({@link #fault()} says why)
     */
    public long wrapHead(final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset,
        final int length)
    {
        readBuffer = buffer;
        detail = "";
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            fault = FrameFault.TOO_SHORT;
            return -1;
        }
        header.wrap(buffer, offset);
        fault = WireChecks.header(header, length, InferAnswerDecoder.SCHEMA_ID, InferAnswerDecoder.TEMPLATE_ID,
            InferAnswerDecoder.BLOCK_LENGTH);
        if (fault != null)
        {
            return -1;
        }
        decoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, InferAnswerDecoder.BLOCK_LENGTH,
            InferAnswerDecoder.SCHEMA_VERSION);
        final int at = offset + MessageHeaderDecoder.ENCODED_LENGTH + InferAnswerDecoder.BLOCK_LENGTH;
        if (!WireChecks.within(offset, length, at, WireChecks.VAR_LENGTH_PREFIX))
        {
            fault = FrameFault.TOO_SHORT;
            return -1;
        }
        final long detailLength = WireChecks.varLength(buffer, at);
        final long detailEnd = at + WireChecks.VAR_LENGTH_PREFIX + detailLength;
        if (detailEnd > (long)offset + length)
        {
            fault = FrameFault.BAD_LENGTH_FIELD;
            return -1;
        }
        final long headLength = (detailEnd - offset + 7) & -8L;
        final int rows = rows();
        final int cols = cols();
        final int groups = groups();
        final short routing = decoder.routing();
        if (rows < 0 || cols < 0 || groups < 0 || routing < 0 || routing > MAX_ENTRIES ||
            (routing == 0 && groups != 0))
        {
            fault = FrameFault.BAD_SHAPE;
            return -1;
        }
        final long payload = ((long)rows * cols + (routing > 0 ? 3L * groups + 3L * routing * rows : 0)) *
            Float.BYTES;
        this.headLength = (int)headLength;
        this.payloadIndex = offset + this.headLength;
        detail = detailLength == 0 ? "" :
            buffer.getStringWithoutLengthUtf8(at + WireChecks.VAR_LENGTH_PREFIX, (int)detailLength);
        return headLength + payload;
    }

    /** Bytes from the frame's start to its output rows: the head {@link #wrapHead} read, padded to 8. */
    public int headLength()
    {
        return headLength;
    }

    /** Why the last {@link #wrap} returned false. */
    public FrameFault fault()
    {
        return fault;
    }

    public long clientId()
    {
        return decoder.clientId();
    }

    public long requestId()
    {
        return decoder.requestId();
    }

    public int rows()
    {
        return decoder.rows();
    }

    public int cols()
    {
        return decoder.cols();
    }

    public int groups()
    {
        return decoder.groups();
    }

    public BlockStatus status()
    {
        return Statuses.of(decoder.statusRaw());
    }

    public boolean routing()
    {
        return decoder.routing() != 0;
    }

    /** Routing entries per token: the columns of the routing arrays; 0 without routing. */
    public int entries()
    {
        return decoder.routing();
    }

    public String detail()
    {
        return detail;
    }

    public void readOutputs(final float[] dst)
    {
        readOutputs(dst, 0);
    }

    /** Reads the output rows into {@code dst} from {@code dstOffset} on. */
    public void readOutputs(final float[] dst, final int dstOffset)
    {
        FloatRows.read(readBuffer, payloadIndex, dst, dstOffset, rows() * cols());
    }

    /** Reads the routing report, expert, position and gate [rows, {@link #entries()}]; only when {@link #routing()}. */
    public void readRouting(
        final int[] capacity, final double[] auxLoss, final int[] expert, final int[] position, final float[] gate)
    {
        readRouting(readBuffer, payloadIndex + rows() * cols() * Float.BYTES, rows(), groups(), entries(),
            capacity, auxLoss, expert, position, gate);
    }

    /**
     * Reads a routing report that starts at {@code index} of {@code buffer}: what follows the output rows of
     * an answer of {@code rows} tokens, {@code groups} groups and {@code entries} entries per token.
     */
    public static void readRouting(
        final DirectBuffer buffer, final int index, final int rows, final int groups, final int entries,
        final int[] capacity, final double[] auxLoss, final int[] expert, final int[] position, final float[] gate)
    {
        int at = index;
        FloatRows.readInts(buffer, at, capacity, 0, groups);
        at += groups * Integer.BYTES;
        for (int g = 0; g < groups; g++)
        {
            auxLoss[g] = buffer.getDouble(at, ByteOrder.LITTLE_ENDIAN);
            at += Double.BYTES;
        }
        final int n = entries * rows;
        FloatRows.readInts(buffer, at, expert, 0, n);
        at += n * Integer.BYTES;
        FloatRows.readInts(buffer, at, position, 0, n);
        at += n * Integer.BYTES;
        FloatRows.read(buffer, at, gate, 0, n);
    }
}
