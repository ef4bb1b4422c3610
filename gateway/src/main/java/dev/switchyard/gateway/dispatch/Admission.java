package dev.switchyard.gateway.dispatch;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Admission by whole requests. A request's first message declares its tokens; the request is
 * admitted there (a slot and all its tokens reserved against the queue's bounds and its caller's
 * share of its client) or refused there, whole. Its later messages find it by their part number
 * and are never refused for capacity: under overload the requests admitted are served whole and the
 * others are refused at once, so goodput stays at capacity instead of every request being admitted
 * in part and then failing.
 * <p>
 * A share is a (client, caller) pair: a client that serves many callers (the HTTP API, one caller
 * per remote address) gives each its own. Tokens are released as each message is answered; the
 * slot when the last is. A request whose deadline passes before all its messages came has timed
 * out: it gives up the tokens still missing, and a message of it that comes later is answered so.
 */
final class Admission
{
    /** How long past its deadline a request refused or timed out still answers its later messages. */
    static final long LINGER_NS = TimeUnit.SECONDS.toNanos(10);
    /** The client id of a request back in the pool (client ids are never negative). */
    private static final long RECYCLED = Long.MIN_VALUE;

    /** What one (client, caller) has admitted and not yet answered. */
    static final class Share
    {
        long clientId;
        int caller;
        int requests;
        long tokens;
        Share next;
    }

    private final int maxRequests;
    private final int maxTokens;
    private final int maxShareRequests;
    private final int maxShareTokens;
    private int requests;
    private long tokens;
    /** Set once the gateway stops taking requests: new ones are refused, admitted ones served whole. */
    private boolean draining;
    /** When the last request came (its first message), on the gateway's clock. */
    private long lastRequestNs;
    /** Shares by client, chained by caller. */
    private final Long2ObjectHashMap<Share> shares = new Long2ObjectHashMap<>();
    private final OpenRequests open = new OpenRequests();
    private int refusedOpen;
    private final ArrayDeque<WholeRequest> pool = new ArrayDeque<>();
    private final ArrayDeque<Share> freeShares = new ArrayDeque<>();

    Admission(final GatewaySettings settings, final ClientPolicy policy)
    {
        this.maxRequests = settings.maxQueuedRequests();
        this.maxTokens = settings.maxQueuedTokens();
        this.maxShareRequests = policy.maxRequestsPerClient();
        this.maxShareTokens = policy.maxTokensPerClient();
    }

    /** The open request of {@code clientId} whose first message was {@code firstRequestId}, or null. */
    WholeRequest find(final long clientId, final long firstRequestId)
    {
        return open.find(clientId, firstRequestId);
    }

    /**
     * Admits or refuses a request of {@code total} tokens at its first message, of {@code firstRows}
     * tokens. Refused, it is answered by its {@link WholeRequest#refusal}; either way it is kept open
     * for its later messages (a refused one only while as many refused are open as the queue has
     * slots; past that its later messages come as requests of their own).
     *
     * @param answersHeld answers held for the client and not yet taken: they count against its shares
     */
    WholeRequest open(
        final long clientId, final long requestId, final int caller, final int total, final int firstRows,
        final int answersHeld, final long nowNs, final long deadlineNs)
    {
        final WholeRequest w = pool.isEmpty() ? new WholeRequest() : pool.poll();
        w.reset(clientId, requestId, caller, total, nowNs, deadlineNs);
        lastRequestNs = nowNs;
        final Share share = share(clientId, caller);
        final int shareRequests = share == null ? 0 : share.requests;
        final long shareTokens = share == null ? 0 : share.tokens;
        if (draining)
        {
            w.refusal = BlockStatus.SHUTTING_DOWN;
            w.refusalDetail = "the gateway is shutting down: it takes no new requests (send to another gateway)";
        }
        else if (total > maxTokens || total > maxShareTokens)
        {
            w.refusal = BlockStatus.BAD_INPUT;
            w.refusalDetail = "a request of " + total + " tokens is more than the gateway admits at once (" +
                Math.min(maxTokens, maxShareTokens) + " tokens: max-queued-tokens " + maxTokens +
                ", max-tokens-per-client " + maxShareTokens + ")";
        }
        else if (shareRequests + answersHeld >= maxShareRequests || shareTokens + total > maxShareTokens)
        {
            w.refusal = BlockStatus.OVERLOADED;
            w.refusalDetail = "this client's share of the gateway is full (" +
                (caller == 0 ? "" : "caller " + Integer.toUnsignedString(caller) + ": ") + shareRequests +
                " requests, " + shareTokens + " tokens waiting, " + answersHeld + " answers not yet taken)";
        }
        else if (requests >= maxRequests || tokens + total > maxTokens)
        {
            w.refusal = BlockStatus.OVERLOADED;
            w.refusalDetail = "gateway queue is full (" + requests + " requests, " + tokens + " tokens waiting)";
        }
        else
        {
            reserve(w, share != null ? share : newShare(clientId, caller));
        }
        if (total > firstRows && (w.admitted() || refusedOpen < maxRequests))
        {
            keepOpen(w);
        }
        return w;
    }

    /** {@code rows} tokens of a message of {@code w} came in. */
    void arrive(final WholeRequest w, final int rows)
    {
        w.arrived += rows;
        if (w.arrived >= w.total)
        {
            close(w);
        }
        recycleIfDone(w);
    }

    /** {@code rows} tokens of {@code w} have been answered, or will not be computed: they leave the queue. */
    void release(final WholeRequest w, final int rows)
    {
        if (w.reserved == 0)
        {
            return;
        }
        final int n = Math.min(rows, w.reserved);
        w.reserved -= n;
        tokens -= n;
        final Share share = w.share;
        share.tokens -= n;
        if (w.reserved == 0)
        {
            requests--;
            share.requests--;
            w.share = null;
            if (share.requests == 0)
            {
                removeShare(share);
            }
        }
        recycleIfDone(w);
    }

    /**
     * One message of admitted {@code w} was refused ({@code status}, for its input): the request
     * has failed whole. Its client sends no more of it, so the tokens still missing are given up;
     * a later message of it that comes all the same is refused as it was.
     */
    void fail(final WholeRequest w, final BlockStatus status, final String detail)
    {
        if (!w.admitted())
        {
            return;
        }
        w.refusal = status;
        w.refusalDetail = detail;
        if (w.open)
        {
            refusedOpen++;
        }
        release(w, w.missing());
    }

    /**
     * Ends the open requests past their deadline: an admitted one has timed out whole and gives up
     * the tokens still missing (its messages in the queue time out as usual; one that comes later is
     * answered with the same timeout). A request refused or timed out stays findable by its later
     * messages for {@link #LINGER_NS} past its deadline.
     *
     * @return requests ended or forgotten
     */
    int expire(final long nowNs)
    {
        int work = 0;
        for (int i = open.size() - 1; i >= 0; i--)
        {
            final WholeRequest w = open.get(i);
            if (w.admitted() && nowNs - w.deadlineNs > 0)
            {
                fail(w, BlockStatus.TIMEOUT, w.timeoutDetail());
                work++;
            }
            else if (!w.admitted() && nowNs - w.deadlineNs - LINGER_NS > 0)
            {
                close(w);
                recycleIfDone(w);
                work++;
            }
        }
        return work;
    }

    /**
     * From now on every new request is refused as {@link BlockStatus#SHUTTING_DOWN}; those admitted
     * (their later messages included) are served as usual.
     */
    void drain()
    {
        draining = true;
    }

    /** When the last request came (its first message), on the gateway's clock; 0 before any. */
    long lastRequestNs()
    {
        return lastRequestNs;
    }

    /** Requests admitted and not yet answered whole. */
    int requests()
    {
        return requests;
    }

    /** Tokens those requests hold: their messages waiting, and those still to come. */
    long tokens()
    {
        return tokens;
    }

    /** Requests expecting more messages (admitted or refused). */
    int openRequests()
    {
        return open.size();
    }

    private void reserve(final WholeRequest w, final Share share)
    {
        w.share = share;
        w.reserved = w.total;
        requests++;
        tokens += w.total;
        share.requests++;
        share.tokens += w.total;
    }

    private void keepOpen(final WholeRequest w)
    {
        open.add(w);
        if (!w.admitted())
        {
            refusedOpen++;
        }
    }

    private void close(final WholeRequest w)
    {
        if (!w.open)
        {
            return;
        }
        open.remove(w);
        if (!w.admitted())
        {
            refusedOpen--;
        }
    }

    /** Once nothing refers to it any more (closed, nothing reserved), it goes back to the pool. */
    private void recycleIfDone(final WholeRequest w)
    {
        if (!w.open && w.reserved == 0 && w.clientId != RECYCLED)
        {
            w.clientId = RECYCLED;
            pool.add(w);
        }
    }

    private Share share(final long clientId, final int caller)
    {
        Share s = shares.get(clientId);
        while (s != null && s.caller != caller)
        {
            s = s.next;
        }
        return s;
    }

    private Share newShare(final long clientId, final int caller)
    {
        final Share s = freeShares.isEmpty() ? new Share() : freeShares.poll();
        s.requests = 0;
        s.tokens = 0;
        s.clientId = clientId;
        s.caller = caller;
        s.next = shares.get(clientId);
        shares.put(clientId, s);
        return s;
    }

    private void removeShare(final Share s)
    {
        Share head = shares.get(s.clientId);
        if (head == s)
        {
            if (s.next == null)
            {
                shares.remove(s.clientId);
            }
            else
            {
                shares.put(s.clientId, s.next);
            }
        }
        else
        {
            while (head.next != s)
            {
                head = head.next;
            }
            head.next = s.next;
        }
        s.next = null;
        freeShares.add(s);
    }
}
