package dev.switchyard.gateway.dispatch;

import java.nio.ByteOrder;

import dev.switchyard.dataplane.SessionFragments;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Puts client requests of several fragments back together for {@link ClientIntake}. A request's tokens
 * (and importance) go from each fragment straight into the pooled request that queues it, instead of
 * into a copy of the whole frame that is then read into it: one copy of each row fewer, on every request
 * larger than one fragment (over UDP, most). A request put together this way is then taken as the whole
 * frame would be (its header, its length against its rows, the client, admission); one that is refused
 * gives its pooled request back. Any other frame, a request of a shape this gateway does not serve, and
 * every frame while a tap records whole frames, is put together whole. Used by the gateway's thread.
 */
final class RequestAssembler extends SessionFragments<RequestAssembler.Partial>
{
    /** Sessions remembered; past it those with no frame under way are forgotten (bounded). */
    private static final int MAX_SESSIONS = 256;
    private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);
    /** Rows are little-endian floats on the wire: copied as bytes only where floats are so in memory. */
    private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** One session's frame under way. */
    static final class Partial extends SessionFragments.Partial
    {
        final UnsafeBuffer head = new UnsafeBuffer(new byte[WireLayout.REQUEST_HEADER_LENGTH]);
        /** The pooled request the rows come into; null while the frame is put together whole. */
        PendingRequest request;
        /** Where the frame's tokens end and its importance (or its end) begins. */
        long tokensEnd;

        Partial()
        {
            super(4096);
        }
    }

    private final ClientIntake intake;
    private final RequestQueue requests;
    private final GatewayMetrics metrics;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final RequestFrame head = new RequestFrame();

    RequestAssembler(final ClientIntake intake, final RequestQueue requests, final GatewayMetrics metrics)
    {
        super(MAX_SESSIONS, intake);
        this.intake = intake;
        this.requests = requests;
        this.metrics = metrics;
    }

    @Override
    protected Partial newPartial()
    {
        return new Partial();
    }

    @Override
    protected void onFirst(final Partial partial, final DirectBuffer buffer, final int offset, final int length)
    {
        if (partial.request != null)
        {
            // The session's frame before never ended (a fragment lost its place): its request goes back.
            requests.recycle(partial.request);
            partial.request = null;
        }
        partial.clearWhole();
        if (NATIVE_LE && length >= WireLayout.REQUEST_HEADER_LENGTH)
        {
            headerDecoder.wrap(buffer, offset);
            if (RequestFrame.isRequest(headerDecoder))
            {
                final long frameLength = head.wrapHead(buffer, offset, length);
                if (frameLength > length && intake.takesInFragments(head.rows(), head.cols()))
                {
                    partial.request = intake.requestFor(head);
                    partial.head.putBytes(0, buffer, offset, WireLayout.REQUEST_HEADER_LENGTH);
                    partial.tokensEnd =
                        WireLayout.REQUEST_HEADER_LENGTH + (long)head.rows() * head.cols() * Float.BYTES;
                    partial.expect(frameLength);
                }
            }
        }
        onNext(partial, buffer, offset, length);
    }

    @Override
    protected void onNext(final Partial partial, final DirectBuffer buffer, final int offset, final int length)
    {
        final PendingRequest request = partial.request;
        if (request == null)
        {
            partial.keepWhole(buffer, offset, length);
            return;
        }
        final long from = partial.advance(length);
        if (from < 0)
        {
            return;
        }
        // The frame: the head (kept at its start), tokens [rows, d], then importance [rows] to its end.
        copyPart(buffer, offset, from, length, WireLayout.REQUEST_HEADER_LENGTH, partial.tokensEnd, request.x,
            FLOAT_BASE);
        copyPart(buffer, offset, from, length, partial.tokensEnd, Long.MAX_VALUE, request.importance, FLOAT_BASE);
    }

    @Override
    protected void onEnd(final Partial partial, final Header header)
    {
        final PendingRequest request = partial.request;
        if (request == null)
        {
            handWhole(partial, header);
            return;
        }
        partial.request = null;
        metrics.requestsInFragments.incrementAndGet();
        intake.onRequestInFragments(partial.head, partial.received(), header, request);
    }
}
