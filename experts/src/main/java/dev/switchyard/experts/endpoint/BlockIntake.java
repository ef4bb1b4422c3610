package dev.switchyard.experts.endpoint;

import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.GatewayHelloEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames an endpoint receives, read and checked: a gateway's hello opens its way back; a block
 * is checked against the model's shape and the experts served here, then answered, computed or with
 * the status that says why not. A frame that cannot name its sender is refused and counted, by
 * cause and sending session. Used by the endpoint's thread only; the counts are read from any thread.
 */
final class BlockIntake implements FragmentHandler
{
    /** Logged under the endpoint's name, where operators look for what the endpoint refused. */
    private static final Logger LOG = LoggerFactory.getLogger(ExpertEndpoint.class);

    private final ExpertEndpoint.Shape shape;
    private final ExpertTable experts;
    private final GatewayReplies replies;
    private final BlockAnswers answers;
    private final int maxGateways;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ExpertBlockFrame frame = new ExpertBlockFrame();
    private final HelloFrame hello = new HelloFrame();
    private final StatusCounters counters = new StatusCounters();
    private final FrameFaults faults = new FrameFaults("expert endpoint");
    private final AtomicLong unanswerable = new AtomicLong();

    /** @param maxGateways the gateways {@code replies} answers at once, named when a hello is refused */
    BlockIntake(final ExpertEndpoint.Shape shape, final ExpertTable experts, final GatewayReplies replies,
        final BlockAnswers answers, final int maxGateways)
    {
        this.shape = shape;
        this.experts = experts;
        this.replies = replies;
        this.answers = answers;
        this.maxGateways = maxGateways;
    }

    StatusCounters counters()
    {
        return counters;
    }

    FrameFaults faults()
    {
        return faults;
    }

    long unanswerable()
    {
        return unanswerable.get();
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            refuse(header, FrameFault.TOO_SHORT, length);
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() == GatewayHelloEncoder.SCHEMA_ID &&
            headerDecoder.templateId() == GatewayHelloEncoder.TEMPLATE_ID)
        {
            onHello(buffer, offset, length, header);
        }
        else
        {
            onBlock(buffer, offset, length, header);
        }
    }

    private void refuse(final Header header, final FrameFault fault, final int length)
    {
        counters.increment(BlockStatus.MALFORMED);
        unanswerable.incrementAndGet();
        faults.count(header.sessionId(), fault, length);
    }

    private void onHello(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final HelloFrame.Hello h = hello.readGatewayHello(headerDecoder, buffer, offset, length);
        if (h == null)
        {
            refuse(header, hello.fault(), length);
            return;
        }
        switch (replies.hello(h.senderId(), h.channel(), h.streamId(), System.nanoTime()))
        {
            case TOO_MANY ->
            {
                refuse(header, FrameFault.UNKNOWN_SENDER, length);
                LOG.warn("gateway {} not taken: {} gateways already send to this endpoint", h.senderId(), maxGateways);
            }
            case BAD_CHANNEL -> refuse(header, FrameFault.BAD_CHANNEL, length);
            case KNOWN, OPENED ->
            {
            }
        }
    }

    private void onBlock(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        onBlock(buffer, offset, length, header, null);
    }

    /**
     * A block frame of {@code length} bytes whose header is at {@code offset} of {@code buffer}; its
     * rows follow it there, or (put together from fragments, {@link BlockAssembler}) are in {@code rows}.
     */
    void onBlock(final DirectBuffer buffer, final int offset, final int length, final Header header,
        final float[] rows)
    {
        final BlockStatus framing = frame.wrap(buffer, offset, length);
        if (framing == BlockStatus.MALFORMED)
        {
            refuse(header, frame.fault(), length);
            return;
        }
        if (framing != BlockStatus.OK)
        {
            faults.count(header.sessionId(), frame.fault(), length);
        }
        final BlockStatus status = framing == BlockStatus.OK ? check() : framing;
        counters.increment(status);
        // A gateway whose outlet was closed while it was out of reach is answered again when it is back.
        if (!replies.knows(frame.replyTo()) && !replies.reopen(frame.replyTo(), System.nanoTime()))
        {
            unanswerable.incrementAndGet();
            faults.count(header.sessionId(), FrameFault.UNKNOWN_SENDER, length);
            return;
        }
        answers.answer(frame, status, status == BlockStatus.OK ? experts.get(frame.layer(), frame.expert()) : null,
            rows);
    }

    private BlockStatus check()
    {
        final int layer = frame.layer();
        final int expert = frame.expert();
        if (layer < 0 || layer >= shape.layers())
        {
            return BlockStatus.UNKNOWN_LAYER;
        }
        if (expert < 0 || expert >= shape.numExperts())
        {
            return BlockStatus.UNKNOWN_EXPERT;
        }
        if (frame.cols() != shape.dModel() || frame.rows() > shape.maxRows())
        {
            return BlockStatus.BAD_SHAPE;
        }
        return experts.availability(layer, expert);
    }
}
