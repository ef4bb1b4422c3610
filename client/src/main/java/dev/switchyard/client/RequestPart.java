package dev.switchyard.client;

import dev.switchyard.dataplane.FragmentedClaim;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.frame.WireLayout;
import org.agrona.MutableDirectBuffer;

/**
 * One message of a request: its rows [firstRow, firstRow + rows), sent as message {@code requestId}.
 * The first part carries the whole request's tokens and caller, so that the gateway admits or
 * refuses the request whole; part k's id is the first's plus k.
 *
 * @param part             0 for the first message, k for the k-th after it
 * @param groupOrdinalBase the ordinal of the part's first group within the request (its rows are whole groups)
 */
record RequestPart(ClientRequest request, long requestId, int part, int firstRow, int rows, long groupOrdinalBase)
{
    /** The length of its frame: known before it is written, so that it can be written where it is sent from. */
    long length(final int d)
    {
        return WireLayout.requestFrameLength(rows, d, request.importance() != null);
    }

    /**
     * Writes this part as one {@code InferRequest} frame at {@code offset} of {@code buffer}.
     *
     * @param d the model's d_model
     * @return the frame length
     */
    int write(final RequestFrame frame, final MutableDirectBuffer buffer, final int offset, final long clientId,
        final int d)
    {
        final RequestOptions options = request.options();
        final long deadlineMicros = options.deadline() == null ? 0 : options.deadline().toNanos() / 1000;
        final int length = frame.write(buffer, offset, clientId, requestId, options.layer(), groupOrdinalBase,
            deadlineMicros, request.wantRouting(), options.keepApart(), onUnavailable(options), rows, d,
            request.tokens(), firstRow * d, request.importance(), firstRow);
        frame.markPart(part, request.rows(), options.caller());
        return length;
    }

    /**
     * Writes this part into {@code fragments}, claimed for its {@link #length}: the head into the first
     * fragment (marked as {@link #write} marks it, before that fragment is committed), then the tokens and
     * the importance.
     *
     * @return &gt; 0, or the code of a fragment's claim that failed (the frame is then broken)
     */
    long write(final RequestFrame frame, final FragmentedClaim fragments, final long clientId, final int d)
    {
        final RequestOptions options = request.options();
        final long deadlineMicros = options.deadline() == null ? 0 : options.deadline().toNanos() / 1000;
        fragments.skip(frame.writeHead(fragments.buffer(), fragments.offset(), clientId, requestId, options.layer(),
            groupOrdinalBase, deadlineMicros, request.wantRouting(), options.keepApart(), onUnavailable(options), rows,
            d, request.importance() != null));
        frame.markPart(part, request.rows(), options.caller());
        final long result = fragments.putFloats(request.tokens(), firstRow * d, rows * d);  // [rows, d]
        return result <= 0 || request.importance() == null ? result :
            fragments.putFloats(request.importance(), firstRow, rows);  // [rows]
    }

    private static int onUnavailable(final RequestOptions options)
    {
        return switch (options.onUnavailable())
        {
            case WAIT -> RequestFrame.ON_UNAVAILABLE_WAIT;
            case DROP -> RequestFrame.ON_UNAVAILABLE_DROP;
            case DEFAULT -> RequestFrame.ON_UNAVAILABLE_DEFAULT;
        };
    }
}
