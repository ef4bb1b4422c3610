package dev.switchyard.gateway.dispatch;

import java.util.concurrent.TimeUnit;

import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.wire.sbe.BlockStatus;

/**
 * Answers every admitted request exactly once, in arrival order: fails the requests past their
 * deadline, and sends each finished request at the head of the queue to its client, so that an
 * answer never overtakes an earlier request's.
 */
final class AnswerRelease
{
    private final RequestQueue requests;
    private final GroupPool pool;
    private final ClientOutlets clients;
    private final GatewayMetrics metrics;

    AnswerRelease(
        final RequestQueue requests, final GroupPool pool, final ClientOutlets clients, final GatewayMetrics metrics)
    {
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

    private static void timeOut(final PendingRequest request)
    {
        request.expire("no answer within " +
            TimeUnit.NANOSECONDS.toMillis(request.deadlineNs - request.arrivalNs) + " ms (" +
            request.rowsDone + " of " + request.rows + " tokens done)");
    }

    /** Answers the finished requests at the head of the queue. */
    int release(final long nowNs)
    {
        int work = 0;
        PendingRequest request;
        while ((request = requests.oldest()) != null && (request.done || nowNs - request.deadlineNs > 0))
        {
            // Deadlines are scanned once a millisecond; one that passed since is honoured here, so
            // that no result leaves later than its deadline.
            if (nowNs - request.deadlineNs > 0)
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
            requests.removeOldest();
            metrics.queuedRequests.set(requests.size());
            metrics.answers.increment(request.status);
            clients.answer(request);
            metrics.recordLatencyMicros(TimeUnit.NANOSECONDS.toMicros(nowNs - request.arrivalNs));
            requests.recycle(request);
            work++;
        }
        return work;
    }

    /** Fails every request still waiting and answers them all: the gateway is closing. */
    void shutDown()
    {
        for (int i = 0; i < requests.size(); i++)
        {
            requests.get(i).fail(BlockStatus.SHUTTING_DOWN, "the gateway is shutting down");
        }
        release(System.nanoTime());
    }
}
