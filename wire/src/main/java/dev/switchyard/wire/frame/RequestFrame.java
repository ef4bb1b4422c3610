package dev.switchyard.wire.frame;

import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.InferRequestDecoder;
import dev.switchyard.wire.sbe.InferRequestEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import dev.switchyard.wire.sbe.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes and reads {@code InferRequest} frames: a 64-byte header, then [rows, cols] float32 tokens,
 * then [rows] float32 importance when flagged. One instance per thread.
 */
public final class RequestFrame
{
    /** The gateway's configured choice when an expert cannot be reached. */
    public static final int ON_UNAVAILABLE_DEFAULT = 0;
    /** Wait for the expert to be hosted again (until the deadline). */
    public static final int ON_UNAVAILABLE_WAIT = 1;
    /** Answer at once without it (capacity 0), marked degraded. */
    public static final int ON_UNAVAILABLE_DROP = 2;

    /** The most parts after the first that one request may have (the wire's part number is 16 bits). */
    public static final int MAX_PART = 65_534;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final InferRequestEncoder encoder = new InferRequestEncoder();
    private final InferRequestDecoder decoder = new InferRequestDecoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private FrameFault fault;
    private DirectBuffer readBuffer;
    private int readOffset;

    /**
     * @param tokens     [rows, cols] from {@code tokensOffset}
     * @param importance [rows] from {@code importanceOffset}, or null
     * @return the frame length
     */
    public int write(
        final MutableDirectBuffer buffer,
        final int offset,
        final long clientId,
        final long requestId,
        final int layer,
        final long groupOrdinalBase,
        final long deadlineMicros,
        final boolean wantRouting,
        final boolean keepApart,
        final int rows,
        final int cols,
        final float[] tokens,
        final int tokensOffset,
        final float[] importance,
        final int importanceOffset)
    {
        return write(buffer, offset, clientId, requestId, layer, groupOrdinalBase, deadlineMicros, wantRouting,
            keepApart, ON_UNAVAILABLE_DEFAULT, rows, cols, tokens, tokensOffset, importance, importanceOffset);
    }

    /**
     * As above, with what the gateway does when one of the request's experts cannot be reached.
     *
     * @param onUnavailable {@link #ON_UNAVAILABLE_DEFAULT}, {@link #ON_UNAVAILABLE_WAIT} or
     *                      {@link #ON_UNAVAILABLE_DROP}
     */
    public int write(
        final MutableDirectBuffer buffer,
        final int offset,
        final long clientId,
        final long requestId,
        final int layer,
        final long groupOrdinalBase,
        final long deadlineMicros,
        final boolean wantRouting,
        final boolean keepApart,
        final int onUnavailable,
        final int rows,
        final int cols,
        final float[] tokens,
        final int tokensOffset,
        final float[] importance,
        final int importanceOffset)
    {
        int at = offset + writeHead(buffer, offset, clientId, requestId, layer, groupOrdinalBase, deadlineMicros,
            wantRouting, keepApart, onUnavailable, rows, cols, importance != null);
        FloatRows.write(buffer, at, tokens, tokensOffset, rows * cols);
        at += rows * cols * Float.BYTES;
        if (importance != null)
        {
            FloatRows.write(buffer, at, importance, importanceOffset, rows);
            at += rows * Float.BYTES;
        }
        return at - offset;
    }

    /**
     * The frame's head, {@link WireLayout#REQUEST_HEADER_LENGTH} bytes: what {@link #write} writes before the
     * tokens, for a writer that puts the tokens [rows, cols] and importance [rows] (when flagged) after it.
     *
     * @return the head's length
     */
    public int writeHead(
        final MutableDirectBuffer buffer,
        final int offset,
        final long clientId,
        final long requestId,
        final int layer,
        final long groupOrdinalBase,
        final long deadlineMicros,
        final boolean wantRouting,
        final boolean keepApart,
        final int onUnavailable,
        final int rows,
        final int cols,
        final boolean importance)
    {
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .requestId(requestId)
            .groupOrdinalBase(groupOrdinalBase)
            .deadlineMicros(deadlineMicros)
            .layer(layer)
            .rows(rows)
            .cols(cols);
        encoder.flags().clear().importance(importance).wantRouting(wantRouting).keepApart(keepApart)
            .dropUnavailable(onUnavailable == ON_UNAVAILABLE_DROP)
                .waitUnavailable(onUnavailable == ON_UNAVAILABLE_WAIT);
        // A message of its own until markPart says otherwise; the padding is never left to chance.
        encoder.part(0).requestTokens(0).caller(0);
        return WireLayout.REQUEST_HEADER_LENGTH;
    }

    /**
     * Marks the frame just written by {@link #write} (or whose head {@link #writeHead} just wrote) as part {@code part} of a request of
     * {@code requestTokens} tokens, counted against {@code caller}'s share of its client.
     *
     * @param part          0 for the first message; k for the message whose request id is the first's plus k
     * @param requestTokens the whole request's tokens (carried by part 0; the gateway reads it there only)
     * @param caller        whose share of the client the request counts against; 0 for the client's own
     */
    public void markPart(final int part, final int requestTokens, final int caller)
    {
        if (part < 0 || part > MAX_PART)
        {
            throw new IllegalArgumentException("part " + part + " is outside 0.." + MAX_PART);
        }
        encoder.part(part).requestTokens(requestTokens).caller(caller);
    }

    public static boolean isRequest(final MessageHeaderDecoder header)
    {
        return header.schemaId() == InferRequestEncoder.SCHEMA_ID &&
            header.templateId() == InferRequestEncoder.TEMPLATE_ID;
    }

    /**
     * Wraps a received frame for reading.
     *
     * @return OK, MALFORMED when the header is incomplete, BAD_SHAPE when the length disagrees
     * with rows, cols and the importance flag (ids can then still be read to answer it)
     */
    public BlockStatus wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        readBuffer = buffer;
        readOffset = offset;
        fault = null;
        if (length < WireLayout.REQUEST_HEADER_LENGTH)
        {
            fault = FrameFault.TOO_SHORT;
            return BlockStatus.MALFORMED;
        }
        headerDecoder.wrap(buffer, offset);
        fault = WireChecks.header(headerDecoder, length, InferRequestEncoder.SCHEMA_ID,
            InferRequestEncoder.TEMPLATE_ID, InferRequestEncoder.BLOCK_LENGTH);
        if (fault == FrameFault.TOO_SHORT || fault == FrameFault.UNKNOWN_MESSAGE)
        {
            return BlockStatus.MALFORMED;
        }
        // The ids sit at fixed offsets of a frame this long, so even a wrong block length can be answered.
        // A version-1 frame has no part fields: they read as absent (a message of its own).
        decoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, InferRequestEncoder.BLOCK_LENGTH,
            headerDecoder.version());
        if (fault != null)
        {
            return BlockStatus.BAD_SHAPE;
        }
        final int rows = decoder.rows();
        final int cols = decoder.cols();
        if (rows < 0 || cols < 0 || WireLayout.requestFrameLength(rows, cols, hasImportance()) != length)
        {
            fault = FrameFault.BAD_SHAPE;
            return BlockStatus.BAD_SHAPE;
        }
        return BlockStatus.OK;
    }

    /**
     * Wraps the head of a request whose first {@code length} bytes are at {@code offset}: the whole frame,
     * or the first fragment of one, whose rows a reader then takes from each fragment as it comes.
     *
     * @return the length the whole frame has as its head says (rows, cols, the importance flag), or -1
     * when the head is not a request's as {@link #wrap} reads it
     */
    public long wrapHead(final DirectBuffer buffer, final int offset, final int length)
    {
        final BlockStatus framing = wrap(buffer, offset, length);
        if (framing == BlockStatus.MALFORMED || fault != null && fault != FrameFault.BAD_SHAPE || rows() < 0 ||
            cols() < 0)
        {
            return -1;
        }
        return WireLayout.requestFrameLength(rows(), cols(), hasImportance());
    }

    /** Why the last {@link #wrap} did not return OK, or null. */
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

    public long groupOrdinalBase()
    {
        return decoder.groupOrdinalBase();
    }

    public long deadlineMicros()
    {
        return decoder.deadlineMicros();
    }

    public int layer()
    {
        return decoder.layer();
    }

    public int rows()
    {
        return decoder.rows();
    }

    public int cols()
    {
        return decoder.cols();
    }

    public boolean hasImportance()
    {
        return decoder.flags().importance();
    }

    public boolean wantRouting()
    {
        return decoder.flags().wantRouting();
    }

    public boolean keepApart()
    {
        return decoder.flags().keepApart();
    }

    /** 0 for a request's first message (or a message of its own); k for its message with the first's id plus k. */
    public int part()
    {
        final int part = decoder.part();
        return part == InferRequestDecoder.partNullValue() ? 0 : part;
    }

    /** The whole request's tokens as its first message declares them; 0 when not declared (this message alone). */
    public int requestTokens()
    {
        return Math.max(0, decoder.requestTokens());
    }

    /** Whose share of the client the request counts against; 0 for the client's own. */
    public int caller()
    {
        final int caller = decoder.caller();
        return caller == InferRequestDecoder.callerNullValue() ? 0 : caller;
    }

    /** {@link #ON_UNAVAILABLE_DROP}, {@link #ON_UNAVAILABLE_WAIT}, or the gateway's default. */
    public int onUnavailable()
    {
        return decoder.flags().dropUnavailable() ? ON_UNAVAILABLE_DROP :
            decoder.flags().waitUnavailable() ? ON_UNAVAILABLE_WAIT : ON_UNAVAILABLE_DEFAULT;
    }

    /** Copies {@code count} token rows starting at {@code firstRow} into {@code dst}. */
    public void readTokens(final int firstRow, final int count, final float[] dst, final int dstOffset)
    {
        final int cols = cols();
        FloatRows.read(
            readBuffer, readOffset + WireLayout.REQUEST_HEADER_LENGTH + firstRow * cols * Float.BYTES,
            dst, dstOffset, count * cols);
    }

    /** Copies {@code count} importance values starting at {@code firstRow} into {@code dst}. */
    public void readImportance(final int firstRow, final int count, final float[] dst, final int dstOffset)
    {
        FloatRows.read(
            readBuffer,
            readOffset + WireLayout.REQUEST_HEADER_LENGTH + (rows() * cols() + firstRow) * Float.BYTES,
            dst, dstOffset, count);
    }
}
