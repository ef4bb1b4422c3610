package dev.switchyard.gateway.dispatch;

import java.util.concurrent.TimeUnit;

import dev.switchyard.wire.sbe.BlockStatus;

/**
 * One client request, which may come as several messages: admitted (its slot and all its tokens
 * reserved at its first message) or refused whole. Its messages, each a {@link PendingRequest},
 * share its deadline and its progress. Pooled by {@link Admission}.
 */
final class WholeRequest
{
    long clientId;
    long firstRequestId;
    int caller;
    /** Tokens of the whole request, as its first message declared them. */
    int total;
    /** Tokens of its messages that have come in. */
    int arrived;
    /** Tokens computed, over all its messages. */
    int rowsDone;
    /** Tokens still counted against the queue and its share: all of them, less those answered or given up. */
    int reserved;
    long arrivalNs;
    long deadlineNs;
    /** Null while admitted; else the status its first message was refused with, and why. */
    BlockStatus refusal;
    String refusalDetail;
    /** Still expecting messages: findable by its later parts. */
    boolean open;
    /** Its share, while it holds a slot there. */
    Admission.Share share;
    /** The next open request with the same first id (of another client). */
    WholeRequest next;
    /** Where it sits in the list of open requests. */
    int openIndex;

    void reset(
        final long clientId, final long firstRequestId, final int caller, final int total, final long arrivalNs,
        final long deadlineNs)
    {
        this.clientId = clientId;
        this.firstRequestId = firstRequestId;
        this.caller = caller;
        this.total = total;
        this.arrived = 0;
        this.rowsDone = 0;
        this.reserved = 0;
        this.arrivalNs = arrivalNs;
        this.deadlineNs = deadlineNs;
        this.refusal = null;
        this.refusalDetail = null;
        this.open = false;
        this.share = null;
        this.next = null;
        this.openIndex = -1;
    }

    boolean admitted()
    {
        return refusal == null;
    }

    /** "no answer within 200 ms (1536 of 20000 tokens done)": its progress, whichever message times out. */
    String timeoutDetail()
    {
        return "no answer within " + TimeUnit.NANOSECONDS.toMillis(deadlineNs - arrivalNs) + " ms (" + rowsDone +
            " of " + total + " tokens done)";
    }

    /** Tokens it still expects. */
    int missing()
    {
        return total - arrived;
    }
}
