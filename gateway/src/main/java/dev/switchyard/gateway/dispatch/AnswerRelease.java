package dev.switchyard.gateway.dispatch;

import java.util.concurrent.TimeUnit;

import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.NanoClock;

/**
 * Answers every admitted request exactly once, each client's in the order it sent them: fails the
 * requests past their deadline, and sends each finished request to its client once every earlier
 * request of that client has been answered, so that an answer never overtakes an earlier one of
 * the same client, and never waits on another client's.
 */
final class AnswerRelease implements RequestQueue.Leaving
{
    /** Clients with an earlier request still unanswered, in the current sweep. */
    private final LongHashSet waiting = new LongHashSet();
    private long nowNs;
    private final RequestQueue requests;
    private final GroupPool pool;
    private final ClientOutlets clients;
    private final GatewayMetrics metrics;
    private final NanoClock clock;

    AnswerRelease(
        final RequestQueue requests, final GroupPool pool, final ClientOutlets clients, final GatewayMetrics metrics,
        final NanoClock clock)
    {
        this.clock = clock;
        this.requests = requests;
        this.pool = pool;
        this.clients = clients;
        this.metrics = metrics;
    }

    /** Fails the requests not answered by their deadline; their groups are abandoned, not waited for. */
    int expireOverdue(final long nowNs)
    {
        int work = 0;
        for (int i = 0; i < requests.size(); i++)
        {
            final PendingRequest request = requests.get(i);
            if (!request.done && nowNs - request.deadlineNs > 0)
            {
                timeOut(request);
                work++;
            }
        }
        return work;
    }

    /** Its progress is its whole request's: a timeout names the request's tokens, not one message's. */
    private static void timeOut(final PendingRequest request)
    {
        request.expire(request.whole.timeoutDetail());
    }

    /**
     * Answers every finished request that no earlier request of its client waits before: each
     * client's answers leave in the order it sent, and no client's answer waits on another's.
     */
    int release(final long nowNs)
    {
        this.nowNs = nowNs;
        waiting.clear();
        final int answered = requests.sweep(this);
        if (answered > 0)
        {
            metrics.queuedRequests.set(requests.size());
        }
        return answered;
    }

    @Override
    public boolean leaves(final PendingRequest request)
    {
        // Deadlines are scanned once a millisecond; one that passed since is honoured here, so
        // that no result leaves later than its deadline.
        final boolean overdue = nowNs - request.deadlineNs > 0;
        if ((!request.done && !overdue) || waiting.contains(request.clientId))
        {
            waiting.add(request.clientId);  // its client's later answers wait for it
            return false;
        }
        if (overdue)
        {
            timeOut(request);
        }
        if (request.openGroup != null)
        {
            // Failed or timed out before its last group closed: nobody else is in that group.
            final GroupSlot open = request.openGroup;
            request.openGroup = null;
            if (open.open)
            {
                pool.release(open);
            }
        }
        metrics.answers.increment(request.status);
        clients.answer(request);
        metrics.recordLatencyMicros(TimeUnit.NANOSECONDS.toMicros(nowNs - request.arrivalNs));
        requests.recycle(request);
        return true;
    }

    /** Fails every request still waiting and answers them all: the gateway is closing. */
    void shutDown()
    {
        for (int i = 0; i < requests.size(); i++)
        {
            requests.get(i).fail(BlockStatus.SHUTTING_DOWN, "the gateway is shutting down");
        }
        release(clock.nanoTime());
    }
}
