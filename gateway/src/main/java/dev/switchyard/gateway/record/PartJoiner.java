package dev.switchyard.gateway.record;

import java.util.ArrayList;
import java.util.List;

import dev.switchyard.client.AnswerStatus;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;

/**
 * Turns the request and answer frames of a recording into the requests clients made: the parts of
 * a request its client split over several messages are joined back, each with the answer to it.
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

    /** One answer frame: output [rows, d] when OK and kept, else null. */
    record AnswerPart(long timeNs, AnswerStatus status, String detail, int rows, float[] output)
    {
    }

    private final boolean keepTensors;
    private final List<RequestPart> parts = new ArrayList<>();
    private final Object2ObjectHashMap<String, AnswerPart> answers = new Object2ObjectHashMap<>();

    PartJoiner(final boolean keepTensors)
    {
        this.keepTensors = keepTensors;
    }

    void add(final RequestPart part)
    {
        parts.add(part);
    }

    void add(final long clientId, final long requestId, final AnswerPart answer)
    {
        answers.put(key(clientId, requestId), answer);
    }

    private static String key(final long clientId, final long requestId)
    {
        return clientId + "/" + requestId;
    }

    /**
     * Joins the parts of split requests: a part whose first group continues the previous part of the
     * same client (same layer and mode) belongs to it, as the client cut it.
     */
    List<RecordedRequest> join(final RecordedModel model)
    {
        final List<RecordedRequest> joined = new ArrayList<>();
        final Long2ObjectHashMap<List<RequestPart>> open = new Long2ObjectHashMap<>();
        final List<List<RequestPart>> order = new ArrayList<>();
        for (final RequestPart p : parts)
        {
            final List<RequestPart> last = open.get(p.clientId());
            if (last != null && p.groupOrdinalBase() > 0 && continues(last.getLast(), p, model))
            {
                last.add(p);
                continue;
            }
            final List<RequestPart> fresh = new ArrayList<>();
            fresh.add(p);
            open.put(p.clientId(), fresh);
            order.add(fresh);
        }
        final long origin = parts.isEmpty() ? 0 : parts.getFirst().timeNs();
        for (final List<RequestPart> request : order)
        {
            joined.add(toRequest(request, origin, model.dModel()));
        }
        return joined;
    }

    private static boolean continues(final RequestPart previous, final RequestPart next, final RecordedModel model)
    {
        return next.requestId() == previous.requestId() + 1 && next.layer() == previous.layer() &&
            next.keepApart() == previous.keepApart() &&
            next.groupOrdinalBase() == previous.groupOrdinalBase() + previous.rows() / model.groupSize();
    }

    private RecordedRequest toRequest(final List<RequestPart> request, final long origin, final int d)
    {
        final RequestPart first = request.getFirst();
        int rows = 0;
        for (final RequestPart p : request)
        {
            rows += p.rows();
        }
        final float[] tokens = keepTensors ? new float[rows * d] : NONE;  // [rows, d]
        final float[] importance = first.importance() == null ? null : new float[rows];
        float[] output = keepTensors ? new float[rows * d] : null;  // [rows, d]
        AnswerStatus status = AnswerStatus.OK;
        String detail = "";
        long answeredNs = -1;
        int at = 0;
        for (final RequestPart p : request)
        {
            if (keepTensors)
            {
                System.arraycopy(p.tokens(), 0, tokens, at * d, p.rows() * d);
            }
            if (importance != null && p.importance() != null)
            {
                System.arraycopy(p.importance(), 0, importance, at, p.rows());
            }
            final AnswerPart answer = answers.get(key(p.clientId(), p.requestId()));
            if (answer == null)
            {
                status = null;
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
            }
            at += p.rows();
        }
        if (status != AnswerStatus.OK)
        {
            output = null;
        }
        return new RecordedRequest(first.timeNs() - origin, first.clientId(), first.requestId(), request.size(),
            first.layer(), first.keepApart(), first.wantRouting(), first.deadlineMicros(), rows, tokens, importance,
            status == null ? null : status.name(), detail, output,
            status == null ? -1 : answeredNs - first.timeNs());
    }
}
