package dev.switchyard.node.http.openai;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One request's answer built from its generation's events: the text under its stop strings (a stop string met
 * cancels the generation), logprobs, usage; sent whole when the generation ends, or as stream chunks (one per
 * piece of text, then the finish chunk, the usage chunk when asked, and {@code [DONE]}). Events come on the
 * engine's thread, the cancel handle on the caller's: both under this object's lock. However it ends, the
 * {@link Outcome} goes to its observer once (the recorder's).
 */
final class CompletionRun implements Consumer<GenerationEvent>
{
    /** Where a streamed answer's events go, each one "data: ..." line; close ends the stream. */
    interface Events
    {
        void send(String data);

        void close();
    }

    /**
     * How a run ended, as a recording keeps it.
     *
     * @param error the error answered (or sent as the stream's last event), null when answered
     */
    record Outcome(String text, int[] ids, String finishReason, int promptTokens, int completionTokens,
        OpenAiError error)
    {
    }

    private final Bodies bodies;
    private final Params params;
    private final boolean logprobs;
    private final int promptTokens;
    private final Events events;          // null: the answer is sent whole
    private final boolean tokenIds;       // whether answers carry "token_ids" (X-Switchyard-Token-Ids)
    private final Consumer<Outcome> ended;
    private final CompletableFuture<ObjectNode> whole = new CompletableFuture<>();
    private final StopText stop;
    private final StringBuilder text = new StringBuilder();
    private final List<Bodies.Entry> entries = new ArrayList<>();
    private final List<Bodies.Entry> pending = new ArrayList<>();
    private Runnable cancel;
    private boolean cancelWanted;
    private boolean first = true;
    private boolean done;
    private int pieces;
    private int length;
    private int[] ids = new int[16];
    private int sentIds;

    CompletionRun(final Bodies bodies, final Params params, final boolean logprobs, final int promptTokens,
        final Events events, final boolean tokenIds, final Consumer<Outcome> ended)
    {
        this.tokenIds = tokenIds;
        this.ended = ended;
        this.bodies = bodies;
        this.params = params;
        this.logprobs = logprobs;
        this.promptTokens = promptTokens;
        this.events = events;
        this.stop = new StopText(params.stop());
    }

    /** The whole answer, when not streamed; fails with an {@link OpenAiError}. */
    CompletableFuture<ObjectNode> whole()
    {
        return whole;
    }

    synchronized void cancelWith(final Runnable handle)
    {
        cancel = handle;
        if (cancelWanted)
        {
            handle.run();
        }
    }

    /**
     * The caller has gone, or waited too long: the generation stops at the engine's next step, and a whole
     * answer still awaited fails with {@code why}.
     */
    synchronized void abandon(final OpenAiError why)
    {
        cancel();
        if (done)
        {
            return;
        }
        done = true;
        ended.accept(new Outcome(text.toString(), Arrays.copyOf(ids, pieces), null, promptTokens, pieces, why));
        whole.completeExceptionally(why);
    }

    @Override
    public synchronized void accept(final GenerationEvent event)
    {
        if (done)
        {
            return;
        }
        switch (event)
        {
            case GenerationEvent.Piece p -> piece(p);
            case GenerationEvent.Finished f -> finished(f);
        }
    }

    private void piece(final GenerationEvent.Piece p)
    {
        if (pieces == ids.length)
        {
            ids = Arrays.copyOf(ids, 2 * pieces);
        }
        ids[pieces++] = p.id();
        if (logprobs)
        {
            final Bodies.Entry e = new Bodies.Entry(p.token(), p.logprob(), p.top(), length);
            entries.add(e);
            pending.add(e);
        }
        length += p.text().length();
        final String safe = stop.add(p.text());
        text.append(safe);
        if (stop.stopped())
        {
            cancel();
            finish("stop", safe);
            return;
        }
        if (events != null && (!safe.isEmpty() || logprobs))
        {
            send(withIds(bodies.chunk(safe, null, logprobs ? List.copyOf(pending) : null, first)));
            pending.clear();
            first = false;
        }
    }

    private void finished(final GenerationEvent.Finished f)
    {
        switch (f.reason())
        {
            case ERROR -> fail(new OpenAiError(500, "server_error", null, null, "generation failed: " + f.error()));
            case CANCELLED -> fail(new OpenAiError(503, "server_error", null, "cancelled",
                "the generation was cancelled (the server is closing)"));
            default ->
            {
                final String safe = stop.add(f.rest());
                text.append(safe);
                finish(stop.stopped() || f.reason() == GenerationEvent.Reason.STOP ? "stop" : "length", safe);
            }
        }
    }

    private void finish(final String reason, final String safe)
    {
        done = true;
        final String tail = stop.finish();
        text.append(tail);
        ended.accept(new Outcome(text.toString(), Arrays.copyOf(ids, pieces), reason, promptTokens, pieces, null));
        if (events == null)
        {
            whole.complete(withIds(bodies.whole(text.toString(), reason, logprobs ? entries : null, promptTokens,
                pieces)));
            return;
        }
        send(withIds(bodies.chunk(safe.isEmpty() ? tail : safe + tail, reason,
            logprobs ? List.copyOf(pending) : null, first)));
        if (params.includeUsage())
        {
            send(bodies.usageChunk(promptTokens, pieces));
        }
        events.send("[DONE]");
        events.close();
    }

    private void fail(final OpenAiError error)
    {
        done = true;
        ended.accept(new Outcome(text.toString(), Arrays.copyOf(ids, pieces), null, promptTokens, pieces, error));
        if (events == null)
        {
            whole.completeExceptionally(error);
            return;
        }
        // The status line has gone: the error goes as an event, as OpenAI's streams report late errors.
        send(error.body(bodies.json()));
        events.send("[DONE]");
        events.close();
    }

    private void cancel()
    {
        if (cancel != null)
        {
            cancel.run();
        }
        else
        {
            cancelWanted = true;
        }
    }

    /**
     * With X-Switchyard-Token-Ids, the answer's choice lists the ids it carries (whole: all of them; a chunk:
     * those since the last chunk), so a replay can compare ids, not just text.
     */
    private ObjectNode withIds(final ObjectNode answer)
    {
        if (tokenIds)
        {
            final ArrayNode list = ((ObjectNode)answer.get("choices").get(0)).putArray("token_ids");
            for (int i = events == null ? 0 : sentIds; i < pieces; i++)
            {
                list.add(ids[i]);
            }
            sentIds = pieces;
        }
        return answer;
    }

    private void send(final ObjectNode node)
    {
        events.send(node.toString());
    }
}
