package dev.switchyard.tools.record;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.switchyard.client.AnswerStatus;
import dev.switchyard.node.record.RecordedModel;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;

/**
 * Turns the request and answer frames of a recording, as they are read, into the requests clients
 * made: the parts of a request its client split over several messages are joined back, each with
 * the answer to it. Requests go to the sink in arrival order as soon as they are whole (every part
 * seen and answered), so only the requests still open are held: at most {@code window} of them;
 * beyond that the oldest goes out as it is (parts not answered yet count as unanswered).
 */
final class PartJoiner
{
    static final float[] NONE = new float[0];

    /** One request frame: tokens [rows, d], importance [rows] or null. */
    record RequestPart(
        long timeNs, long clientId, long requestId, int layer, boolean keepApart, boolean wantRouting,
        long deadlineMicros, long groupOrdinalBase, int rows, float[] tokens, float[] importance)
    {
    }

    /** One answer frame: output [rows, d] when OK and kept, else null; routing when it carried one and kept. */
    record AnswerPart(
        long timeNs, AnswerStatus status, String detail, int rows, float[] output, RecordedRouting routing)
    {
    }

    /** A request whose parts or answers may still come. */
    private static final class Open
    {
        final List<RequestPart> parts = new ArrayList<>();
        final List<AnswerPart> answers = new ArrayList<>();
        int answered;
        /** No further part can join it (a short part ended it, or its client went on to another request). */
        boolean closed;

        RequestPart last()
        {
            return parts.getLast();
        }
    }

    private final boolean keepTensors;
    private final int window;
    private final Consumer<RecordedRequest> sink;
    private final ArrayDeque<Open> open = new ArrayDeque<>();
    private final Long2ObjectHashMap<Open> lastOfClient = new Long2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Open> awaitingAnswer = new Object2ObjectHashMap<>();
    private RecordedModel model;
    private long origin = Long.MIN_VALUE;
    private int largestOpen;

    PartJoiner(final boolean keepTensors, final int window, final Consumer<RecordedRequest> sink)
    {
        this.keepTensors = keepTensors;
        this.window = window;
        this.sink = sink;
    }

    void model(final RecordedModel model)
    {
        this.model = model;
    }

    /** The most requests held open at once. */
    int largestOpen()
    {
        return largestOpen;
    }

    private static String key(final long clientId, final long requestId)
    {
        return clientId + "/" + requestId;
    }

    /**
     * A part whose first group continues the previous part of the same client (same layer and mode,
     * next request id) belongs to it, as the client cut it; the client cuts at the gateway's largest
     * request, so a shorter part is the last of its request.
     */
    void add(final RequestPart p)
    {
        if (origin == Long.MIN_VALUE)
        {
            origin = p.timeNs();
        }
        final Open last = lastOfClient.get(p.clientId());
        Open into = null;
        if (last != null && !last.closed && p.groupOrdinalBase() > 0 && continues(last.last(), p))
        {
            into = last;
        }
        else
        {
            if (last != null)
            {
                last.closed = true;
            }
            into = new Open();
            open.addLast(into);
            lastOfClient.put(p.clientId(), into);
        }
        into.parts.add(p);
        into.answers.add(null);
        into.closed |= p.rows() < model.maxRequestRows();
        awaitingAnswer.put(key(p.clientId(), p.requestId()), into);
        largestOpen = Math.max(largestOpen, open.size());
        drain(false);
    }

    void add(final long clientId, final long requestId, final AnswerPart answer)
    {
        final Open request = awaitingAnswer.remove(key(clientId, requestId));
        if (request == null)
        {
            return;  // no such request recorded, or it went out unanswered when the window was full
        }
        request.answers.set((int)(requestId - request.parts.getFirst().requestId()), answer);
        request.answered++;
        drain(false);
    }

    /** Sends out every request still open: the recording has ended. */
    void finish()
    {
        drain(true);
    }

    private void drain(final boolean end)
    {
        while (!open.isEmpty())
        {
            final Open head = open.peekFirst();
            final boolean whole = head.closed && head.answered == head.parts.size();
            if (!whole && !end && open.size() <= window)
            {
                return;
            }
            open.pollFirst();
            for (final RequestPart p : head.parts)
            {
                awaitingAnswer.remove(key(p.clientId(), p.requestId()));
            }
            if (lastOfClient.get(head.last().clientId()) == head)
            {
                lastOfClient.remove(head.last().clientId());
            }
            sink.accept(toRequest(head));
        }
    }

    private boolean continues(final RequestPart previous, final RequestPart next)
    {
        return next.requestId() == previous.requestId() + 1 && next.layer() == previous.layer() &&
            next.keepApart() == previous.keepApart() &&
            next.groupOrdinalBase() == previous.groupOrdinalBase() + previous.rows() / model.groupSize();
    }

    private RecordedRequest toRequest(final Open request)
    {
        final int d = model.dModel();
        final RequestPart first = request.parts.getFirst();
        int rows = 0;
        for (final RequestPart p : request.parts)
        {
            rows += p.rows();
        }
        final float[] tokens = keepTensors ? new float[rows * d] : NONE;  // [rows, d]
        final float[] importance = first.importance() == null ? null : new float[rows];
        float[] output = keepTensors ? new float[rows * d] : null;  // [rows, d]
        // [rows, entries] each; kept only when every part's answer carried its routing.
        RecordedRouting routing = keepTensors && first.wantRouting() ?
            RecordedRouting.of(rows, entries(request)) : null;
        AnswerStatus status = AnswerStatus.OK;
        String detail = "";
        long answeredNs = -1;
        int at = 0;
        for (int i = 0; i < request.parts.size(); i++)
        {
            final RequestPart p = request.parts.get(i);
            if (keepTensors)
            {
                System.arraycopy(p.tokens(), 0, tokens, at * d, p.rows() * d);
            }
            if (importance != null && p.importance() != null)
            {
                System.arraycopy(p.importance(), 0, importance, at, p.rows());
            }
            final AnswerPart answer = request.answers.get(i);
            if (answer == null)
            {
                status = null;
                routing = null;
            }
            else
            {
                answeredNs = Math.max(answeredNs, answer.timeNs());
                if (status == AnswerStatus.OK && answer.status() != AnswerStatus.OK)
                {
                    status = answer.status();
                    detail = answer.detail();
                }
                if (output != null && answer.output() != null && answer.rows() == p.rows())
                {
                    System.arraycopy(answer.output(), 0, output, at * d, p.rows() * d);
                }
                routing = appendRouting(routing, answer, p.rows(), at);
            }
            at += p.rows();
        }
        if (status != AnswerStatus.OK)
        {
            output = null;
            routing = null;
        }
        return new RecordedRequest(first.timeNs() - origin, first.clientId(), first.requestId(), request.parts.size(),
            first.layer(), first.keepApart(), first.wantRouting(), first.deadlineMicros(), rows, tokens, importance,
            status == null ? null : status.name(), detail, output, routing,
            status == null ? -1 : answeredNs - first.timeNs());
    }

    /** Copies a part's routing to token {@code at} on; null when the part's answer has none. */
    private static RecordedRouting appendRouting(
        final RecordedRouting routing, final AnswerPart answer, final int rows, final int at)
    {
        final RecordedRouting part = answer.routing();
        if (routing == null || part == null || part.rows() != rows)
        {
            return null;
        }
        if (part.entries() != routing.entries())
        {
            return null;
        }
        final int k = routing.entries();
        System.arraycopy(part.expert(), 0, routing.expert(), k * at, k * rows);
        System.arraycopy(part.position(), 0, routing.position(), k * at, k * rows);
        System.arraycopy(part.gate(), 0, routing.gate(), k * at, k * rows);
        return routing;
    }

    /** Routing entries per token of the request's answers: the first answer with routing says (2 if none). */
    private static int entries(final Open request)
    {
        for (final AnswerPart answer : request.answers)
        {
            if (answer != null && answer.routing() != null)
            {
                return answer.routing().entries();
            }
        }
        return 2;
    }
}
