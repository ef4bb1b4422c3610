package dev.switchyard.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.sbe.BlockStatus;

/**
 * The messages sent and not yet answered, by request id, and the answers that complete them: an
 * answer's rows go where its request asked (the caller's array, or one of the answer's own).
 * Answers are read on the client's receiving thread; requests are added on the callers'.
 */
final class PendingAnswers
{
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong unmatched = new AtomicLong();
    private final Runnable onShuttingDown;
    /** The request id of a gateway's notice, which answers no request (requests count from 1). */
    private static final long NOTICE_ID = 0;

    /** @param onShuttingDown told (before the answer completes) when the gateway answers SHUTTING_DOWN */
    PendingAnswers(final Runnable onShuttingDown)
    {
        this.onShuttingDown = onShuttingDown;
    }

    /** A message waiting for its answer, and where its output rows go. */
    static final class Pending extends CompletableFuture<InferAnswer>
    {
        private final float[] output;
        private final int outputOffset;
        private final int rows;

        private Pending(final float[] output, final int outputOffset, final int rows)
        {
            this.output = output;
            this.outputOffset = outputOffset;
            this.rows = rows;
        }

        /** The caller's array the rows go to, or null for an array of the answer's own. */
        float[] output()
        {
            return output;
        }

        int outputOffset()
        {
            return outputOffset;
        }
    }

    /** The answer of {@code part} of a request of {@code d}-float tokens, not yet waited for. */
    static Pending of(final RequestPart part, final int d)
    {
        return new Pending(part.request().output(), part.firstRow() * d, part.rows());
    }

    void waitFor(final long requestId, final Pending answer)
    {
        pending.put(requestId, answer);
    }

    void remove(final long requestId)
    {
        pending.remove(requestId);
    }

    /** Ends every message waiting with {@code status}. */
    void failAll(final AnswerStatus status, final String why)
    {
        for (final Pending p : pending.values())
        {
            p.complete(InferAnswer.failed(0, status, why));
        }
    }

    /** Counts an answer that matched no message waiting (a second answer, or one after the client gave up). */
    void unmatched()
    {
        unmatched.incrementAndGet();
    }

    long unmatchedCount()
    {
        return unmatched.get();
    }

    /**
     * The message an answer names by its head ({@link AnswerFrame#wrapHead}) when the answer's rows can go
     * straight to their place as its fragments come: a result (OK or DEGRADED) for this client's message
     * still waiting, of the shape it asked. Null for any other answer, which is then put together whole and
     * given to {@link #complete}, which says what is wrong with it.
     */
    Pending streamable(final AnswerFrame head, final int d)
    {
        final BlockStatus status = head.status();
        if (status != BlockStatus.OK && status != BlockStatus.DEGRADED || head.requestId() == NOTICE_ID)
        {
            return null;
        }
        final Pending answer = pending.get(head.requestId());
        if (answer == null || head.rows() != answer.rows || head.cols() != d ||
            (head.routing() && head.groups() > head.rows()))
        {
            return null;
        }
        return answer;
    }

    /** Whether {@code answer} still waits under {@code requestId} (the caller has not given up on it). */
    boolean waiting(final long requestId, final Pending answer)
    {
        return pending.get(requestId) == answer;
    }

    /**
     * Completes the message {@code frame} answers (a frame for this client, of {@code d}-float
     * tokens); a frame that answers none, or not in the shape asked, is counted in {@code faults}
     * under {@code session}.
     */
    void complete(final AnswerFrame frame, final int d, final FrameFaults faults, final int session, final int length)
    {
        if (frame.status() == BlockStatus.SHUTTING_DOWN)
        {
            onShuttingDown.run();
            if (frame.requestId() == NOTICE_ID)
            {
                // The gateway's notice to every client that it drains, answering no request.
                return;
            }
        }
        final Pending answer = pending.get(frame.requestId());
        if (answer == null)
        {
            unmatched();
            faults.count(session, FrameFault.UNKNOWN_SENDER, length);
            return;
        }
        final AnswerStatus status = AnswerStatus.of(frame.status());
        if (status != AnswerStatus.OK && status != AnswerStatus.DEGRADED)
        {
            answer.complete(InferAnswer.failed(frame.requestId(), status, frame.detail()));
            return;
        }
        final int rows = frame.rows();
        if (rows != answer.rows || frame.cols() != d || (frame.routing() && frame.groups() > rows))
        {
            // Well formed, but not the answer to this request: it ends the request rather than fill it.
            faults.count(session, FrameFault.BAD_SHAPE, length);
            answer.complete(InferAnswer.failed(frame.requestId(), AnswerStatus.INTERNAL, "the gateway answered " +
                rows + " x " + frame.cols() + " for a request of " + answer.rows + " x " + d));
            return;
        }
        final float[] output;
        if (answer.output != null)
        {
            output = answer.output;
            frame.readOutputs(output, answer.outputOffset);
        }
        else
        {
            output = new float[rows * d];
            frame.readOutputs(output);
        }
        InferAnswer.Routing routing = null;
        if (frame.routing())
        {
            final int groups = frame.groups();
            final int n = frame.entries() * rows;
            routing = new InferAnswer.Routing(new int[groups], new double[groups], new int[n], new int[n],
                new float[n], frame.entries());
            frame.readRouting(routing.capacity(), routing.auxLoss(), routing.expert(), routing.position(),
                routing.gate());
        }
        answer.complete(new InferAnswer(frame.requestId(), status, frame.detail(), rows, d, output, routing));
    }
}
