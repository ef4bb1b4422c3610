package dev.switchyard.node.http.openai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.wire.BadInputException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The OpenAI-compatible routes over a {@link LanguageModel}: {@code GET /v1/models},
 * {@code POST /v1/completions}, {@code POST /v1/chat/completions}, whole or streamed as server-sent events
 * ending {@code data: [DONE]}. Every error is OpenAI's error object; a full engine answers 429. A caller that
 * goes away (its stream cancelled, or its connection closed while a whole answer is made) cancels its
 * generation at the engine's next step. With a {@link TextTap}, every completions and chat request is reported
 * with its answer. A request header {@code X-Switchyard-Token-Ids: true} adds the ids to the answer's choice
 * ({@code token_ids}), for replays that compare ids.
 */
public final class OpenAiApi
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LanguageModel model;
    private final Materializer materializer;
    private final Duration timeout;
    private final AtomicLong ids = new AtomicLong();
    private final TextTap tap;

    /**
     * @param timeout how long a whole (not streamed) answer may take; past it the generation is cancelled
     * @param tap     where every completions and chat request goes with its answer, or null
     */
    public OpenAiApi(final LanguageModel model, final Materializer materializer, final Duration timeout,
        final TextTap tap)
    {
        this.model = model;
        this.materializer = materializer;
        this.timeout = timeout;
        this.tap = tap;
    }

    /** Whether this path is one of these routes. */
    public static boolean serves(final String path)
    {
        return path.equals("/v1/models") || path.equals("/v1/completions") || path.equals("/v1/chat/completions");
    }

    /**
     * The answer to a request on one of these routes; never fails (errors are answers).
     *
     * @param disconnect the request's connection, whose end gives up a whole answer being made
     */
    public CompletionStage<HttpResponse> handle(final HttpRequest request, final byte[] body,
        final Disconnect disconnect)
    {
        final String path = request.getUri().path();
        final Exchange exchange = tap == null || !request.method().equals(HttpMethods.POST) ||
            path.equals("/v1/models") ? null : new Exchange(tap, JSON, System.nanoTime(), path, body);
        try
        {
            final boolean tokenIds = request.getHeader(TOKEN_IDS).map(h -> h.value().equals("true")).orElse(false);
            return route(request, body, new Caller(exchange, disconnect, tokenIds)).exceptionally(t ->
                error(t instanceof CompletionException c ? c.getCause() : t, exchange));
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.completedFuture(error(ex, exchange));
        }
    }

    /** The request header that asks for the answer's ids. */
    public static final String TOKEN_IDS = "X-Switchyard-Token-Ids";

    /** Who asks: its recording (or null), its connection, and whether its answer lists its ids. */
    private record Caller(Exchange exchange, Disconnect disconnect, boolean tokenIds)
    {
        Consumer<CompletionRun.Outcome> ended(final boolean stream)
        {
            if (exchange == null)
            {
                return o -> { };
            }
            if (stream)
            {
                exchange.streamed();
            }
            return exchange::ended;
        }
    }

    private CompletionStage<HttpResponse> route(final HttpRequest request, final byte[] body, final Caller caller)
    {
        final String path = request.getUri().path();
        final boolean models = path.equals("/v1/models");
        if (!request.method().equals(models ? HttpMethods.GET : HttpMethods.POST))
        {
            throw new OpenAiError(405, "invalid_request_error", null, "method_not_allowed",
                path + " takes " + (models ? "GET" : "POST"));
        }
        if (models)
        {
            final ObjectNode list = JSON.createObjectNode();
            list.put("object", "list");
            final ObjectNode m = list.putArray("data").addObject();
            m.put("id", model.name());
            m.put("object", "model");
            m.put("created", 0);
            m.put("owned_by", "switchyard");
            return CompletableFuture.completedFuture(json(200, list));
        }
        return complete(read(body), path.equals("/v1/chat/completions"), caller);
    }

    private CompletionStage<HttpResponse> complete(final JsonNode body, final boolean chat, final Caller caller)
    {
        final JsonNode name = body.path("model");
        if (name.isTextual() && !name.asText().equals(model.name()))
        {
            throw OpenAiError.notFound("model_not_found", "the model '" + name.asText() + "' does not exist; this " +
                "server serves '" + model.name() + "'");
        }
        UnservedFields.refuse(body, chat);
        final Params params = Params.read(body, chat && body.has("max_completion_tokens") ? "max_completion_tokens"
            : "max_tokens");
        final boolean logprobs;
        final int top;
        if (chat)
        {
            logprobs = Params.bool(body, "logprobs");
            top = Params.integer(body, "top_logprobs", 0, 0, 20);
        }
        else
        {
            logprobs = body.hasNonNull("logprobs");
            top = Params.integer(body, "logprobs", 0, 0, 5);
        }
        final int[] prompt = chat ? Prompts.chat(model, body) : Prompts.completion(model, body);
        final Bodies bodies = new Bodies(JSON, (chat ? "chatcmpl-" : "cmpl-") + ids.incrementAndGet(),
            System.currentTimeMillis() / 1000, model.name(), chat);
        final GenerationRequest request = new GenerationRequest(prompt, params.maxTokens(), params.temperature(),
            params.seed(), logprobs ? top : 0, params.ignoreEos());
        return params.stream() ? stream(request, bodies, params, logprobs, caller) :
            whole(request, bodies, params, logprobs, caller);
    }

    private CompletionStage<HttpResponse> whole(final GenerationRequest request, final Bodies bodies,
        final Params params, final boolean logprobs, final Caller caller)
    {
        final CompletionRun run = new CompletionRun(bodies, params, logprobs, request.prompt().length, null,
            caller.tokenIds(), caller.ended(false));
        submit(request, run);
        // A client that closes its connection gives the answer up: its sequence leaves the batch at the next step.
        final Runnable unwatch = caller.disconnect().watch(() -> run.abandon(OpenAiError.clientGone()));
        return run.whole().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((node, thrown) ->
        {
            unwatch.run();
            if (thrown instanceof TimeoutException)
            {
                final OpenAiError late = new OpenAiError(504, "timeout", null, "timeout", "no answer within " +
                    timeout.toMillis() + " ms (switchyard.http.request-timeout): the generation was cancelled; " +
                    "stream long answers");
                run.abandon(late);
                throw late;
            }
            if (thrown != null)
            {
                throw thrown instanceof CompletionException c ? c : new CompletionException(thrown);
            }
            return json(200, node);
        });
    }

    private CompletionStage<HttpResponse> stream(final GenerationRequest request, final Bodies bodies,
        final Params params, final boolean logprobs, final Caller caller)
    {
        // Room for every event a generation sends (a chunk per id, the finish, usage, [DONE]): none is dropped.
        final Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> queue =
            Source.<ByteString>queue(request.maxTokens() + 8).preMaterialize(materializer);
        final CompletionRun run = new CompletionRun(bodies, params, logprobs, request.prompt().length,
            new CompletionRun.Events()
            {
                @Override
                public void send(final String data)
                {
                    queue.first().offer(ByteString.fromString("data: " + data + "\n\n", StandardCharsets.UTF_8));
                }

                @Override
                public void close()
                {
                    queue.first().complete();
                }
            }, caller.tokenIds(), caller.ended(true));
        submit(request, run);
        final Source<ByteString, NotUsed> events = queue.second().watchTermination((mat, done) ->
        {
            done.whenComplete((d, ex) -> run.abandon(OpenAiError.clientGone()));
            return mat;
        });
        return CompletableFuture.completedFuture(HttpResponse.create().withStatus(200)
            .addHeader(RawHeader.create("Cache-Control", "no-cache"))
            .withEntity(HttpEntities.create(ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), events)));
    }

    private void submit(final GenerationRequest request, final CompletionRun run)
    {
        switch (model.submit(request, run))
        {
            case Submission.Accepted a -> run.cancelWith(a.cancel());
            case Submission.Overloaded o -> throw OpenAiError.overloaded(o.reason());
        }
    }

    private static JsonNode read(final byte[] body)
    {
        try
        {
            final JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject())
            {
                throw OpenAiError.invalid(null, "the body must be a JSON object");
            }
            return node;
        }
        catch (final IOException ex)
        {
            throw OpenAiError.invalid(null, "the body is not JSON: " + ex.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static HttpResponse error(final Throwable t, final Exchange exchange)
    {
        final OpenAiError e = switch (t)
        {
            case OpenAiError o -> o;
            case BadInputException b -> OpenAiError.invalid(null, b.getMessage());
            default -> new OpenAiError(500, "server_error", null, null, String.valueOf(t.getMessage()));
        };
        if (exchange != null)
        {
            exchange.failed(e);
        }
        return json(e.status, e.body(JSON));
    }

    private static HttpResponse json(final int status, final JsonNode node)
    {
        final HttpResponse response = HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON,
            node.toString().getBytes(StandardCharsets.UTF_8));
        // 499 (a client gone) is nginx's, not a standard code: it is written to nobody, but must exist.
        return status == 499 ? response.withStatus(StatusCodes.custom(499, "Client Closed Request", "", false, true)) :
            response.withStatus(status);
    }
}
