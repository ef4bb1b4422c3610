package dev.switchyard.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.dataplane.Offers;

/**
 * Sends the parts of requests to the gateway and waits for their answers: a part is answered at
 * once while the gateway is lost, and by the client itself when the gateway does not answer in time.
 */
final class RequestSender implements RequestSplitter.Sender
{
    /** How long a request without a deadline of its own may wait for room (the gateway's default deadline). */
    private static final long OFFER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** Beyond the request's deadline, how long the client waits before it gives up on the gateway. */
    private static final long GRACE_MS = 5_000;
    private static final long DEFAULT_WAIT_MS = 60_000;

    private final GatewayConnection connection;
    private final GatewayLiveness liveness;
    private final PendingAnswers pending;
    private final AtomicLong messagesSent = new AtomicLong();

    RequestSender(final GatewayConnection connection, final GatewayLiveness liveness, final PendingAnswers pending)
    {
        this.connection = connection;
        this.liveness = liveness;
        this.pending = pending;
    }

    /** Request messages sent to the gateway. */
    long messagesSent()
    {
        return messagesSent.get();
    }

    @Override
    public CompletableFuture<InferAnswer> send(final RequestPart part, final CompletableFuture<InferAnswer> whole)
    {
        final long requestId = part.requestId();
        final RequestOptions options = part.request().options();
        final PendingAnswers.Pending future = PendingAnswers.of(part, connection.welcome().dModel());
        final String lost = liveness.lost();
        if (lost != null)
        {
            future.complete(InferAnswer.failed(requestId, AnswerStatus.GATEWAY_UNAVAILABLE, lost));
            return future;
        }
        pending.waitFor(requestId, future);
        final long offered = connection.offer(part,
            options.deadline() == null ? OFFER_TIMEOUT_NS : options.deadline().toNanos(),
            () -> liveness.lost() != null || (whole != null && whole.isDone()));
        if (offered > 0)
        {
            messagesSent.incrementAndGet();
            connection.ringRequests();
        }
        if (offered < 0)
        {
            pending.remove(requestId);
            final String lostNow = liveness.lost();
            future.complete(lostNow != null ?
                InferAnswer.failed(requestId, AnswerStatus.GATEWAY_UNAVAILABLE, lostNow) :
                InferAnswer.failed(requestId, AnswerStatus.UNAVAILABLE,
                    "request not sent to the gateway: " + Offers.describe(offered)));
            return future;
        }
        final String lostWhileSending = liveness.lost();
        if (lostWhileSending != null)
        {
            // Lost while this one was being sent: the sweep of requests in flight may have missed it.
            future.complete(InferAnswer.failed(requestId, AnswerStatus.GATEWAY_UNAVAILABLE, lostWhileSending));
        }
        final long waitMs = (options.deadline() == null ? DEFAULT_WAIT_MS : options.deadline().toMillis()) + GRACE_MS;
        future.completeOnTimeout(InferAnswer.failed(requestId, AnswerStatus.UNAVAILABLE,
            "no answer from the gateway within " + waitMs + " ms"), waitMs, TimeUnit.MILLISECONDS);
        future.whenComplete((a, ex) -> pending.remove(requestId));
        return future;
    }
}
