package dev.switchyard.client;

import java.nio.ByteOrder;

import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.dataplane.SessionFragments;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.UnsafeApi;

/**
 * Puts answers of several fragments back together for {@link ClientAgent}. A result's rows go from
 * each fragment straight into the array the answer is read into (the caller's, or the answer's own),
 * instead of into a copy of the whole frame that is then read into it: one copy of each row fewer, on
 * every answer larger than one fragment (over UDP, most). The routing report that follows the rows is
 * kept aside and read at the end. Any other frame, and an answer that names no message waiting or not
 * in the shape it asked, is put together whole and read as before. A streamed answer is checked as the
 * whole frame would be: its length against its rows and report. Used by the client's receiving thread.
 */
final class AnswerAssembler extends SessionFragments<AnswerAssembler.Partial>
{
    /** Sessions remembered; past it those with no frame under way are forgotten (bounded). */
    private static final int MAX_SESSIONS = 64;
    private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);
    /** Rows are little-endian floats on the wire: copied as bytes only where floats are so in memory. */
    private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** One session's frame under way. */
    static final class Partial extends SessionFragments.Partial
    {
        final ExpandableDirectByteBuffer report = new ExpandableDirectByteBuffer(256);
        /** Whether the rows go straight to {@link #output}; else the frame is put together whole. */
        boolean streamed;
        PendingAnswers.Pending answer;
        long requestId;
        AnswerStatus status;
        String detail;
        int rows;
        int cols;
        int groups;
        int entries;
        float[] output;
        int outputOffset;
        /** Where the frame's output rows start and end. */
        long headLength;
        long rowsEnd;

        Partial(final int initialLength)
        {
            super(Math.min(initialLength, 1 << 16));
        }
    }

    /** What the assembler asks of the client's link to its gateway. */
    interface Link
    {
        long clientId();

        /** The gateway's welcome, or null before it: nothing waits before it. */
        HelloFrame.Welcome welcome();

        /** An answer for this client came: the gateway is alive. */
        void heard();
    }

    private final Link link;
    private final PendingAnswers pending;
    private final FrameFaults faults;
    private final int initialLength;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AnswerFrame head = new AnswerFrame();
    /** Written by the receiving thread only; read by others. */
    private volatile long streamedAnswers;

    /**
     * @param wholeFrames   takes every frame of one fragment and every frame put together whole
     * @param initialLength where a session's buffer for whole frames starts: it grows to the largest met
     */
    AnswerAssembler(
        final FragmentHandler wholeFrames, final Link link, final PendingAnswers pending, final FrameFaults faults,
        final int initialLength)
    {
        super(MAX_SESSIONS, wholeFrames);
        this.link = link;
        this.pending = pending;
        this.faults = faults;
        this.initialLength = initialLength;
    }

    /** Answers whose rows went straight to their array. */
    long streamedAnswers()
    {
        return streamedAnswers;
    }

    @Override
    protected Partial newPartial()
    {
        return new Partial(initialLength);
    }

    @Override
    protected void onEnd(final Partial partial, final Header header)
    {
        if (partial.streamed)
        {
            end(partial, header.sessionId());
        }
        else
        {
            handWhole(partial, header);
        }
    }

    @Override
    protected void onFirst(final Partial partial, final DirectBuffer buffer, final int offset, final int length)
    {
        partial.streamed = false;
        partial.answer = null;
        partial.clearWhole();
        final HelloFrame.Welcome welcome = link.welcome();
        if (NATIVE_LE && welcome != null && length >= MessageHeaderDecoder.ENCODED_LENGTH)
        {
            headerDecoder.wrap(buffer, offset);
            if (AnswerFrame.isAnswer(headerDecoder))
            {
                final long frameLength = head.wrapHead(headerDecoder, buffer, offset, length);
                if (frameLength >= 0 && head.clientId() == link.clientId())
                {
                    stream(partial, pending.streamable(head, welcome.dModel()), frameLength);
                }
            }
        }
        onNext(partial, buffer, offset, length);
    }

    /** Takes the answer's head for a frame whose rows go straight to {@code answer}'s array (if not null). */
    private void stream(final Partial partial, final PendingAnswers.Pending answer, final long frameLength)
    {
        if (answer == null)
        {
            return;
        }
        partial.streamed = true;
        partial.answer = answer;
        partial.requestId = head.requestId();
        partial.status = AnswerStatus.of(head.status());
        partial.detail = head.detail();
        partial.rows = head.rows();
        partial.cols = head.cols();
        partial.groups = head.groups();
        partial.entries = head.entries();
        partial.output = answer.output() != null ? answer.output() : new float[head.rows() * head.cols()];
        partial.outputOffset = answer.output() != null ? answer.outputOffset() : 0;
        partial.headLength = head.headLength();
        partial.rowsEnd = partial.headLength + (long)head.rows() * head.cols() * Float.BYTES;
        partial.expect(frameLength);
    }

    @Override
    protected void onNext(final Partial partial, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!partial.streamed)
        {
            partial.keepWhole(buffer, offset, length);
            return;
        }
        final long from = partial.advance(length);
        if (from < 0)
        {
            return;
        }
        // The frame: the head (read at its start), output rows, then the routing report to its end.
        if (pending.waiting(partial.requestId, partial.answer))
        {
            copyPart(buffer, offset, from, length, partial.headLength, partial.rowsEnd, partial.output,
                FLOAT_BASE + (long)partial.outputOffset * Float.BYTES);
        }
        final long reportFrom = Math.max(from, partial.rowsEnd);
        final long to = from + length;
        if (to > reportFrom)
        {
            partial.report.putBytes((int)(reportFrom - partial.rowsEnd), buffer, offset + (int)(reportFrom - from),
                (int)(to - reportFrom));
        }
    }

    private void end(final Partial partial, final int session)
    {
        final PendingAnswers.Pending answer = partial.answer;
        partial.answer = null;
        if (!partial.complete())
        {
            faults.count(session, FrameFault.BAD_SHAPE, partial.received());
            return;
        }
        link.heard();
        if (!pending.waiting(partial.requestId, answer))
        {
            pending.unmatched();
            return;
        }
        InferAnswer.Routing routing = null;
        if (partial.entries > 0)
        {
            final int n = partial.entries * partial.rows;
            routing = new InferAnswer.Routing(new int[partial.groups], new double[partial.groups], new int[n],
                new int[n], new float[n], partial.entries);
            AnswerFrame.readRouting(partial.report, 0, partial.rows, partial.groups, partial.entries,
                routing.capacity(), routing.auxLoss(), routing.expert(), routing.position(), routing.gate());
        }
        streamedAnswers = streamedAnswers + 1;
        final float[] output = partial.output;
        partial.output = null;
        answer.complete(new InferAnswer(partial.requestId, partial.status, partial.detail, partial.rows,
            partial.cols, output, routing));
    }
}
