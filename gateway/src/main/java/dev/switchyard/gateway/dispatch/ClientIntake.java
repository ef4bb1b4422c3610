package dev.switchyard.gateway.dispatch;

import java.util.concurrent.TimeUnit;

import dev.switchyard.dataplane.Outlet;
import dev.switchyard.gateway.gating.LayerGating;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.ClientHelloEncoder;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.NanoClock;

/**
 * Takes client frames in. A hello opens the way back to its client; a request message is decoded,
 * checked (layer, shape, size, finite values) and admitted when its whole request is
 * ({@link Admission}). A message refused is answered at once, so it never takes a place in the
 * queue; a frame that names no known client cannot be answered and is only counted.
 */
final class ClientIntake implements FragmentHandler
{
    private final int layers;
    private final int[] reportEntries;  // [layers] routing entries per token in an answer
    private final boolean[] takesImportance;  // [layers]
    private final int d;
    private final int maxRequestRows;
    private final GatewaySettings settings;
    private final RequestQueue requests;
    private final Admission admission;
    private final ClientOutlets clients;
    private final GatewayMetrics metrics;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final RequestFrame requestFrame = new RequestFrame();
    private final HelloFrame helloFrame = new HelloFrame();
    private static final long NO_CLIENT = Long.MIN_VALUE;
    /** The client each sending session last spoke for, so that its stream can be paused. */
    private final Long2LongHashMap clientBySession = new Long2LongHashMap(NO_CLIENT);
    private final NanoClock clock;
    TrafficTap tap = TrafficTap.NONE;

    /** @param gatings [layers] each layer's gating: its answers' routing entries, whether it takes importance */
    ClientIntake(
        final LayerGating[] gatings,
        final int d,
        final int maxRequestRows,
        final GatewaySettings settings,
        final RequestQueue requests,
        final Admission admission,
        final ClientOutlets clients,
        final GatewayMetrics metrics,
        final NanoClock clock)
    {
        this.clock = clock;
        this.admission = admission;
        this.layers = gatings.length;
        this.reportEntries = LayerGating.reportEntries(gatings);
        this.takesImportance = new boolean[gatings.length];
        for (int l = 0; l < gatings.length; l++)
        {
            takesImportance[l] = gatings[l].takesImportance();
        }
        this.d = d;
        this.maxRequestRows = maxRequestRows;
        this.settings = settings;
        this.requests = requests;
        this.clients = clients;
        this.metrics = metrics;
    }

    /**
     * How many more fragments may be taken from the client that sends on {@code sessionId}: each
     * frame taken may need an answer held for it, and its answers already held plus its requests in
     * the queue must never exceed what it may have held ({@link ClientOutlets#answerQueue()}), or it
     * would be dropped with requests unanswered. A client at that bound is not read until it takes
     * answers; its requests wait in its own stream and nobody else waits on it.
     */
    int fragmentsAllowed(final int sessionId, final int limit)
    {
        final long clientId = clientBySession.get(sessionId);
        if (clientId == NO_CLIENT || clients.outlet(clientId) == null)
        {
            return limit;  // hellos, strangers and clients given up are read as they come
        }
        final long room = clients.answerQueue() - clients.answersHeld(clientId) - requests.clientMessages(clientId);
        return (int)Math.max(0, Math.min(limit, room));
    }

    /** Forgets the sessions of clients that have gone, once it remembers more sessions than there are clients. */
    void forgetSessions(final int clientsConnected)
    {
        if (clientBySession.size() > 2 * clientsConnected + 64)
        {
            final Long2LongHashMap.EntryIterator sessions = clientBySession.entrySet().iterator();
            while (sessions.hasNext())
            {
                sessions.next();
                if (clients.outlet(sessions.getLongValue()) == null)
                {
                    sessions.remove();
                }
            }
        }
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            unanswerable(header, FrameFault.TOO_SHORT, length);
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (RequestFrame.isRequest(headerDecoder))
        {
            onRequest(buffer, offset, length, header);
        }
        else if (headerDecoder.schemaId() == ClientHelloEncoder.SCHEMA_ID &&
            headerDecoder.templateId() == ClientHelloEncoder.TEMPLATE_ID)
        {
            onHello(buffer, offset, length, header);
        }
        else
        {
            unanswerable(header, FrameFault.UNKNOWN_MESSAGE, length);
        }
    }

    private void unanswerable(final Header header, final FrameFault fault, final int length)
    {
        metrics.unanswerableFrames.incrementAndGet();
        metrics.clientFrames.count(header.sessionId(), fault, length);
    }

    private void onHello(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final HelloFrame.Hello hello = helloFrame.readClientHello(headerDecoder, buffer, offset, length);
        if (hello == null)
        {
            unanswerable(header, helloFrame.fault(), length);
            return;
        }
        if (!clients.connect(hello, clock.nanoTime()))
        {
            unanswerable(header, FrameFault.BAD_CHANNEL, length);
        }
    }

    /**
     * Whether a request of {@code rows} tokens of {@code cols} floats may be taken in as its fragments come
     * ({@link RequestAssembler}): the shape this gateway serves, and no tap, which sees frames whole.
     */
    boolean takesInFragments(final int rows, final int cols)
    {
        return tap == TrafficTap.NONE && cols == d && rows >= 1 && rows <= maxRequestRows;
    }

    /** A pooled request, reset for the message whose head {@code head} is: its rows come into it. */
    PendingRequest requestFor(final RequestFrame head)
    {
        final PendingRequest request = requests.take();
        request.reset(head.clientId(), head.requestId(), head.layer(), head.rows(), d);
        return request;
    }

    /**
     * A request whose tokens (and importance) came into {@code request} ({@link #requestFor}) from its
     * fragments: {@code head} holds its first 64 bytes (its header and fixed block), {@code length}
     * the bytes that came. Taken as the whole frame would be; the request goes back to the pool unless admitted.
     */
    void onRequestInFragments(
        final DirectBuffer head, final int length, final Header header, final PendingRequest request)
    {
        if (!onRequest(head, 0, length, header, request))
        {
            requests.recycle(request);
        }
    }

    private void onRequest(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        onRequest(buffer, offset, length, header, null);
    }

    /**
     * @param taken the request the message's rows already came into, or null to read them from the frame
     * @return whether the message went on to admission (which keeps or recycles {@code taken})
     */
    private boolean onRequest(
        final DirectBuffer buffer, final int offset, final int length, final Header header, final PendingRequest taken)
    {
        final BlockStatus framing = requestFrame.wrap(buffer, offset, length);
        if (framing == BlockStatus.MALFORMED)
        {
            unanswerable(header, requestFrame.fault(), length);
            return false;
        }
        final long clientId = requestFrame.clientId();
        final long requestId = requestFrame.requestId();
        final Outlet client = clients.outlet(clientId);
        if (client == null)
        {
            unanswerable(header, framing == BlockStatus.OK ? FrameFault.UNKNOWN_SENDER : requestFrame.fault(), length);
            return false;
        }
        final int rows = requestFrame.rows();
        final int layer = requestFrame.layer();
        if (taken == null)
        {
            tap.request(clock.nanoTime(), buffer, offset, length);
        }
        if (framing != BlockStatus.OK)
        {
            metrics.clientFrames.count(header.sessionId(), requestFrame.fault(), length);
            clients.refuse(clientId, requestId, framing, "request frame of " + length +
                " bytes does not hold " + rows + " x " + requestFrame.cols() + " floats");
            return false;
        }
        if (refusedShape(clientId, requestId, layer, rows))
        {
            return false;
        }
        clientBySession.put(header.sessionId(), clientId);
        final long nowNs = clock.nanoTime();
        final WholeRequest whole = wholeOf(clientId, requestId, rows, nowNs);
        if (whole == null)
        {
            return false;
        }
        admit(whole, clientId, requestId, layer, rows, nowNs, taken);
        return true;
    }

    /** Refuses a well-framed message that does not fit the model (layer, d_model) or the request size; true if so. */
    private boolean refusedShape(final long clientId, final long requestId, final int layer, final int rows)
    {
        if (layer < 0 || layer >= layers)
        {
            clients.refuse(clientId, requestId, BlockStatus.UNKNOWN_LAYER,
                "layer " + layer + " does not exist (the model has " + layers + ")");
            return true;
        }
        if (requestFrame.hasImportance() && !takesImportance[layer])
        {
            clients.refuse(clientId, requestId, BlockStatus.BAD_INPUT, "layer " + layer + " routes every token " +
                "by its checkpoint family's router alone: importance does not apply");
            return true;
        }
        if (requestFrame.cols() != d)
        {
            clients.refuse(clientId, requestId, BlockStatus.BAD_SHAPE,
                "tokens have " + requestFrame.cols() + " columns, d_model is " + d);
            return true;
        }
        if (rows < 1 || rows > maxRequestRows)
        {
            clients.refuse(clientId, requestId, BlockStatus.BAD_INPUT,
                "a request holds 1.." + maxRequestRows + " tokens, got " + rows);
            return true;
        }
        return false;
    }

    /**
     * Copies the message into a pooled request (unless its rows came into {@code taken} already) and
     * queues it; a message with a value that is not finite is refused instead, its tokens taken back
     * from its whole request.
     */
    private void admit(
        final WholeRequest whole, final long clientId, final long requestId, final int layer, final int rows,
        final long nowNs, final PendingRequest taken)
    {
        final PendingRequest request = taken != null ? taken : requests.take();
        request.hasImportance = requestFrame.hasImportance();
        if (taken == null)
        {
            request.reset(clientId, requestId, layer, rows, d);
            requestFrame.readTokens(0, rows, request.x, 0);  // [rows, d]
            if (request.hasImportance)
            {
                requestFrame.readImportance(0, rows, request.importance, 0);  // [rows]
            }
        }
        final String invalid = firstNonFinite(request);
        if (invalid != null)
        {
            requests.recycle(request);
            admission.fail(whole, BlockStatus.BAD_INPUT, invalid);
            admission.release(whole, rows);
            clients.refuse(clientId, requestId, BlockStatus.BAD_INPUT, invalid);
            return;
        }
        request.whole = whole;
        request.wantRouting = requestFrame.wantRouting();
        if (request.wantRouting)
        {
            request.prepareRouting(reportEntries[layer]);
        }
        request.keepApart = requestFrame.keepApart() || settings.groupPerRequest();
        request.onUnavailable = requestFrame.onUnavailable();
        request.groupOrdinalBase = requestFrame.groupOrdinalBase();
        request.arrivalNs = nowNs;
        request.deadlineNs = whole.deadlineNs;  // the request's, from its first message
        requests.admit(request);
        metrics.tokensIn.addAndGet(rows);
        metrics.queuedRequests.set(requests.size());
    }

    /**
     * The request this message is part of, its tokens counted as arrived; null when the message has
     * been answered (its request refused at its first message, failed or timed out, or it lies about
     * its size). A first message admits or refuses its whole request; a later one of an admitted
     * request is never refused for capacity. A later message whose request is not known (long past
     * its deadline) is admitted as a request of its own.
     */
    private WholeRequest wholeOf(final long clientId, final long requestId, final int rows, final long nowNs)
    {
        final int part = requestFrame.part();
        WholeRequest whole = part > 0 ? admission.find(clientId, requestId - part) : null;
        if (whole == null)
        {
            final int total = part == 0 && requestFrame.requestTokens() > 0 ? requestFrame.requestTokens() : rows;
            if (total < rows)
            {
                clients.refuse(clientId, requestId, BlockStatus.BAD_INPUT, "the first message holds " + rows +
                    " tokens of a request it says has " + total);
                return null;
            }
            final long deadline = requestFrame.deadlineMicros() > 0 ?
                requestFrame.deadlineMicros() : settings.deadlineMicros();
            whole = admission.open(clientId, requestId, requestFrame.caller(), total, rows,
                clients.answersHeld(clientId), nowNs, nowNs + TimeUnit.MICROSECONDS.toNanos(deadline));
        }
        else if (rows > whole.missing())
        {
            clients.refuse(clientId, requestId, BlockStatus.BAD_INPUT, "part " + part + " brings " + rows +
                " tokens to a request that has " + whole.missing() + " of its " + whole.total + " still to come");
            return null;
        }
        if (!whole.admitted())
        {
            final BlockStatus status = whole.refusal;
            final String why = whole.refusalDetail;
            admission.arrive(whole, rows);
            clients.refuse(clientId, requestId, status, why);
            return null;
        }
        admission.arrive(whole, rows);
        return whole;
    }

    /**
     * Why a request's inputs are not all finite, or null: one NaN would reach the aux loss of every
     * request that shares its group.
     */
    private static String firstNonFinite(final PendingRequest r)
    {
        final int n = r.rows * r.d;
        for (int i = 0; i < n; i++)
        {
            if (!Float.isFinite(r.x[i]))
            {
                return "token " + i / r.d + " has " + r.x[i] + " at column " + i % r.d + " (inputs must be finite)";
            }
        }
        if (r.hasImportance)
        {
            for (int t = 0; t < r.rows; t++)
            {
                if (!Float.isFinite(r.importance[t]))
                {
                    return "importance of token " + t + " is " + r.importance[t] + " (must be finite)";
                }
            }
        }
        return null;
    }
}
