package dev.switchyard.node.http.openai;

import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One completions or chat request on its way to a {@link TextTap}: the first of its ends (an answer, the error
 * answered, a client gone) is reported, later ones are not (a timeout's 504 after the run's own abandon).
 */
final class Exchange
{
    private final TextTap tap;
    private final ObjectMapper json;
    private final long arrivalNs;
    private final String path;
    private final byte[] body;
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile boolean stream;

    Exchange(final TextTap tap, final ObjectMapper json, final long arrivalNs, final String path, final byte[] body)
    {
        this.tap = tap;
        this.json = json;
        this.arrivalNs = arrivalNs;
        this.path = path;
        this.body = body;
    }

    void streamed()
    {
        stream = true;
    }

    /** The run's end: its text and ids (what was made before an error too), or the error. */
    void ended(final CompletionRun.Outcome outcome)
    {
        if (!reported.compareAndSet(false, true))
        {
            return;
        }
        final ObjectNode answer = head(outcome.error());
        answer.put("text", outcome.text());
        final ArrayNode ids = answer.putArray("token_ids");
        for (final int id : outcome.ids())
        {
            ids.add(id);
        }
        answer.put("finish_reason", outcome.finishReason());
        final ObjectNode usage = answer.putObject("usage");
        usage.put("prompt_tokens", outcome.promptTokens());
        usage.put("completion_tokens", outcome.completionTokens());
        usage.put("total_tokens", outcome.promptTokens() + outcome.completionTokens());
        tap.exchange(arrivalNs, path, body, answer);
    }

    /** Refused before any run (bad input, unknown model, overload) or failed after it. */
    void failed(final OpenAiError error)
    {
        if (reported.compareAndSet(false, true))
        {
            tap.exchange(arrivalNs, path, body, head(error));
        }
    }

    private ObjectNode head(final OpenAiError error)
    {
        final ObjectNode answer = json.createObjectNode();
        answer.put("status", error == null ? 200 : error.status);
        answer.put("stream", stream);
        if (error != null)
        {
            answer.set("error", error.body(json).get("error"));
        }
        return answer;
    }
}
