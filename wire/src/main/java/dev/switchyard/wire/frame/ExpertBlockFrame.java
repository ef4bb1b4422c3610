package dev.switchyard.wire.frame;

import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.ExpertBlockDecoder;
import dev.switchyard.wire.sbe.ExpertBlockEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import dev.switchyard.wire.sbe.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes and reads {@code ExpertBlock} frames: a 64-byte header (SBE header and fixed block) followed
 * by {@code rows x cols} float32 rows. One instance per thread; it holds reusable flyweights only.
 */
public final class ExpertBlockFrame
{
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ExpertBlockEncoder encoder = new ExpertBlockEncoder();
    private final ExpertBlockDecoder decoder = new ExpertBlockDecoder();
    private DirectBuffer readBuffer;
    private int readOffset;
    private FrameFault fault;

    /**
     * Writes a frame whose rows are copied from {@code rows x cols} floats of {@code data}.
     *
     * @return the frame length
     */
    public int write(
        final MutableDirectBuffer buffer,
        final int offset,
        final long groupId,
        final long replyTo,
        final int layer,
        final int expert,
        final int epoch,
        final int rows,
        final int cols,
        final BlockStatus status,
        final float[] data,
        final int dataOffset)
    {
        writeHeader(buffer, offset, groupId, replyTo, layer, expert, epoch, rows, cols, status);
        final int count = rows * cols;
        if (count > 0)
        {
            FloatRows.write(buffer, offset + WireLayout.BLOCK_HEADER_LENGTH, data, dataOffset, count);
        }
        return WireLayout.BLOCK_HEADER_LENGTH + count * Float.BYTES;
    }

    /** Writes the header only; the caller puts (or sends separately) the rows. */
    public void writeHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final long groupId,
        final long replyTo,
        final int layer,
        final int expert,
        final int epoch,
        final int rows,
        final int cols,
        final BlockStatus status)
    {
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .groupId(groupId)
            .replyTo(replyTo)
            .layer(layer)
            .expert(expert)
            .epoch(epoch)
            .rows(rows)
            .cols(cols)
            .status(status);
    }

    /** Whether the frame at {@code offset} is an {@code ExpertBlock} of this schema (header readable). */
    public static boolean isExpertBlock(final MessageHeaderDecoder header)
    {
        return header.schemaId() == ExpertBlockEncoder.SCHEMA_ID &&
            header.templateId() == ExpertBlockEncoder.TEMPLATE_ID;
    }

    /**
     * Wraps a received frame for reading. A frame too short for its header cannot be read at all;
     * otherwise the header is readable and the shape is checked against the length.
     *
     * @return {@link BlockStatus#OK}, {@link BlockStatus#MALFORMED} when not even the header is
     * there or it is not an ExpertBlock, {@link BlockStatus#BAD_SHAPE} when rows, cols and the length
     * disagree (the header fields can then still be read, to answer the sender)
     */
    public BlockStatus wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        readBuffer = buffer;
        readOffset = offset;
        fault = null;
        if (length < WireLayout.BLOCK_HEADER_LENGTH)
        {
            fault = FrameFault.TOO_SHORT;
            return BlockStatus.MALFORMED;
        }
        headerDecoder.wrap(buffer, offset);
        fault = WireChecks.header(headerDecoder, length, ExpertBlockEncoder.SCHEMA_ID, ExpertBlockEncoder.TEMPLATE_ID,
            ExpertBlockEncoder.BLOCK_LENGTH);
        if (fault != null)
        {
            return BlockStatus.MALFORMED;
        }
        // The schema's block length, never the header's: the header was checked, the decoder reads fixed offsets.
        decoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, ExpertBlockEncoder.BLOCK_LENGTH,
            ExpertBlockEncoder.SCHEMA_VERSION);
        final int rows = decoder.rows();
        final int cols = decoder.cols();
        if (rows < 0 || cols < 0 || WireLayout.blockFrameLength(rows, cols) != length)
        {
            fault = FrameFault.BAD_SHAPE;
            return BlockStatus.BAD_SHAPE;
        }
        return BlockStatus.OK;
    }

    /** Why the last {@link #wrap} did not return OK, or null. */
    public FrameFault fault()
    {
        return fault;
    }

    public long groupId()
    {
        return decoder.groupId();
    }

    public long replyTo()
    {
        return decoder.replyTo();
    }

    public int layer()
    {
        return decoder.layer();
    }

    public int expert()
    {
        return decoder.expert();
    }

    public int epoch()
    {
        return decoder.epoch();
    }

    public int rows()
    {
        return decoder.rows();
    }

    public int cols()
    {
        return decoder.cols();
    }

    public BlockStatus status()
    {
        return Statuses.of(decoder.statusRaw());
    }

    /** The buffer of the frame last wrapped: its rows start at {@link #rowsIndex()}. */
    public DirectBuffer buffer()
    {
        return readBuffer;
    }

    /** Where the frame's {@code rows x cols} floats start in {@link #buffer()}. */
    public int rowsIndex()
    {
        return readOffset + WireLayout.BLOCK_HEADER_LENGTH;
    }

    /** Copies the frame's {@code rows x cols} floats into {@code dst}. */
    public void readRows(final float[] dst, final int dstOffset)
    {
        FloatRows.read(readBuffer, readOffset + WireLayout.BLOCK_HEADER_LENGTH, dst, dstOffset, rows() * cols());
    }
}
