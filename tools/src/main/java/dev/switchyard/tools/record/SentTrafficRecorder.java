package dev.switchyard.tools.record;

import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.node.record.TrafficRecorder;
import dev.switchyard.tools.replay.ScheduledRequest;
import dev.switchyard.tools.replay.SendObserver;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Records the traffic a load generator sends, in the same format a gateway records: each request
 * as the frame a client sends (client id 1, the request's index as its id) at its send time, each
 * answer as the frame a gateway sends at the time it arrived. Such a recording replays like any
 * other. Requests and answers come from different threads; one lock orders them.
 */
public final class SentTrafficRecorder implements SendObserver
{
    private static final long CLIENT_ID = 1;
    /** More than any frame's header and fixed fields. */
    private static final int FRAME_OVERHEAD = 4096;

    private final TrafficRecorder recorder;
    private final RequestFrame requestFrame = new RequestFrame();
    private final AnswerFrame answerFrame = new AnswerFrame();
    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(1 << 16);

    public SentTrafficRecorder(final TrafficRecorder recorder)
    {
        this.recorder = recorder;
    }

    @Override
    public synchronized void sent(final ScheduledRequest r, final long nowNs)
    {
        final int d = r.tokens().length / r.rows();
        // Frames are written with bulk copies that do not grow the buffer: make room first.
        room((long)r.rows() * (d + 1) * Float.BYTES, null);
        final int length = requestFrame.write(buffer, 0, CLIENT_ID, r.index(), r.layer(), 0, r.deadlineMicros(),
            r.wantRouting(), r.keepApart(), r.rows(), d, r.tokens(), 0, r.importance(), 0);
        recorder.request(nowNs, buffer, 0, length);
    }

    @Override
    public synchronized void answered(final ScheduledRequest r, final InferAnswer answer, final long nowNs)
    {
        room((long)answer.rows() * answer.cols() * Float.BYTES, answer.detail());
        final int length = answer.ok() || answer.degraded() ?
            answerFrame.writeResult(buffer, 0, CLIENT_ID, r.index(), blockStatus(answer.status()), answer.detail(),
                answer.rows(), answer.cols(), answer.output(), 0, null, null, null, null, null) :
            answerFrame.writeError(buffer, 0, CLIENT_ID, r.index(), blockStatus(answer.status()), answer.detail());
        recorder.answer(nowNs, buffer, 0, length);
    }

    /** Grows the buffer to hold a frame of {@code floatBytes} of rows, a detail and any header. */
    private void room(final long floatBytes, final String detail)
    {
        final long need = FRAME_OVERHEAD + floatBytes + (detail == null ? 0 : 3L * detail.length());
        if (need > Integer.MAX_VALUE - FRAME_OVERHEAD)
        {
            throw new IllegalArgumentException("a frame of " + need + " bytes cannot be recorded");
        }
        buffer.checkLimit((int)need);
    }

    private static BlockStatus blockStatus(final AnswerStatus status)
    {
        return switch (status)
        {
            case OK -> BlockStatus.OK;
            case DEGRADED -> BlockStatus.DEGRADED;
            case OVERLOADED -> BlockStatus.OVERLOADED;
            case TIMEOUT -> BlockStatus.TIMEOUT;
            case BAD_INPUT -> BlockStatus.BAD_INPUT;
            case EXPERT_UNAVAILABLE -> BlockStatus.EXPERT_UNAVAILABLE;
            case UNAVAILABLE, GATEWAY_UNAVAILABLE -> BlockStatus.SHUTTING_DOWN;
            case INTERNAL -> BlockStatus.INTERNAL;
        };
    }
}
