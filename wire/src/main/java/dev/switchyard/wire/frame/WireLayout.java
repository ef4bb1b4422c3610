package dev.switchyard.wire.frame;

import dev.switchyard.wire.sbe.ExpertBlockEncoder;
import dev.switchyard.wire.sbe.InferRequestEncoder;
import dev.switchyard.wire.sbe.MessageHeaderEncoder;

/** Sizes and stream ids of the data plane, shared by every part that reads or writes frames. */
public final class WireLayout
{
    /** SBE header plus the fixed block of an {@code ExpertBlock}: the rows start here. */
    public static final int BLOCK_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + ExpertBlockEncoder.BLOCK_LENGTH;
    /** SBE header plus the fixed block of an {@code InferRequest}: the tokens start here. */
    public static final int REQUEST_HEADER_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + InferRequestEncoder.BLOCK_LENGTH;

    /** Room for the fixed parts of a request or answer (headers, detail text, group counts). */
    public static final int MESSAGE_OVERHEAD = 1024;

    /** Expert endpoints receive dispatch blocks and gateway hellos on this stream. */
    public static final int EXPERT_STREAM_ID = 2001;
    /** Gateways receive combine blocks on this stream. */
    public static final int GATEWAY_REPLY_STREAM_ID = 2002;
    /** Gateways receive client hellos and requests on this stream. */
    public static final int CLIENT_REQUEST_STREAM_ID = 1001;
    /** Clients receive welcomes and answers on this stream. */
    public static final int CLIENT_ANSWER_STREAM_ID = 1002;

    private WireLayout()
    {
    }

    public static int align(final int value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }

    /** Length of an {@code ExpertBlock} frame of {@code rows x cols} floats. */
    public static long blockFrameLength(final int rows, final int cols)
    {
        return BLOCK_HEADER_LENGTH + (long)rows * cols * Float.BYTES;
    }

    /** Length of an {@code InferRequest} frame. */
    public static long requestFrameLength(final int rows, final int cols, final boolean importance)
    {
        return REQUEST_HEADER_LENGTH + (long)rows * cols * Float.BYTES + (importance ? (long)rows * Float.BYTES : 0);
    }

    /**
     * Room one request or answer message needs per token: its row, its importance and, in an
     * answer with routing, six more values.
     */
    public static long perTokenMessageLength(final int cols)
    {
        return perTokenMessageLength(cols, 2);
    }

    /** As above for answers that carry {@code entries} routing entries (expert, position, gate) per token. */
    public static long perTokenMessageLength(final int cols, final int entries)
    {
        return (long)cols * Float.BYTES + (3L * entries + 1) * Float.BYTES;
    }

    /**
     * The largest message the data plane must carry for a model: an expert's fullest block, or a
     * request or answer of one whole group (a group never spans two messages).
     *
     * @param maxBlockRows the most rows one expert's block holds (the routing's capacity bound)
     * @param groupSize    tokens per group
     */
    public static long largestMessage(final int maxBlockRows, final int groupSize, final int cols)
    {
        return largestMessage(maxBlockRows, groupSize, cols, 2);
    }

    /** As above, answers carrying {@code entries} routing entries per token. */
    public static long largestMessage(final int maxBlockRows, final int groupSize, final int cols, final int entries)
    {
        return Math.max(blockFrameLength(maxBlockRows, cols),
            MESSAGE_OVERHEAD + groupSize * perTokenMessageLength(cols, entries));
    }
}
