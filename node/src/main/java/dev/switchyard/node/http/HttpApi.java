package dev.switchyard.node.http;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.node.http.openai.Disconnect;
import dev.switchyard.node.http.openai.LanguageModel;
import dev.switchyard.node.http.openai.OpenAiApi;
import dev.switchyard.node.http.openai.TextTap;
import dev.switchyard.node.metrics.NodeHealth;
import dev.switchyard.wire.BadInputException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Accept;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one HTTP listener (Pekko HTTP, on the node's actor system, away from the data plane):
 * <ul>
 * <li>{@code POST /v1/layers/{layer}:infer} with {@code application/x-npy} or {@code application/json};</li>
 * <li>{@code GET /v1/model}: shapes, experts and routing settings;</li>
 * <li>{@code GET /health}: the process is alive and its data plane runs (each part listed);</li>
 * <li>{@code GET /ready}: every expert of every layer is hosted and reachable;</li>
 * <li>{@code GET /metrics}: Prometheus text;</li>
 * <li>with a language model, the OpenAI-compatible routes of {@link OpenAiApi}.</li>
 * </ul>
 * Every request's body is read (or, past the size limit, dropped) before it is answered. Every error
 * is {@code {"error": code, "message": ...}} with its status.
 */
public final class HttpApi implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Pattern INFER = Pattern.compile("/v1/layers/(-?\\d{1,9}):infer");

    private final HttpSettings settings;
    private final SwitchyardClient client;
    private final InferRoute infer;
    private final Supplier<byte[]> model;
    private final NodeHealth health;
    private final Supplier<Optional<String>> notReady;
    private final Supplier<String> metrics;
    private final BodyReader bodies;
    private final HttpListener listener;
    private final OpenAiApi openai;

    /**
     * @param client   the gateway of this node, over IPC (closed with the listener); null on a node without a gateway
     * @param model    the JSON of {@code GET /v1/model}; null on a node without a gateway
     * @param located  whether the gateway has located every expert once (inference is refused before)
     * @param notReady why the node is not ready, or empty when it is
     */
    public HttpApi(
        final ActorSystem<?> system, final HttpSettings settings, final SwitchyardClient client,
        final Supplier<byte[]> model, final NodeHealth health, final BooleanSupplier located,
        final Supplier<Optional<String>> notReady,
        final Supplier<String> metrics)
    {
        this(system, settings, client, model, health, located, notReady, metrics, null);
    }

    /**
     * As above, with a language model served on the OpenAI-compatible routes ({@link OpenAiApi}).
     *
     * @param languageModel the model of /v1/completions, /v1/chat/completions and /v1/models, or null
     */
    public HttpApi(
        final ActorSystem<?> system, final HttpSettings settings, final SwitchyardClient client,
        final Supplier<byte[]> model, final NodeHealth health, final BooleanSupplier located,
        final Supplier<Optional<String>> notReady,
        final Supplier<String> metrics, final LanguageModel languageModel)
    {
        this(system, settings, client, model, health, located, notReady, metrics, languageModel, null);
    }

    /**
     * As above, reporting every completions and chat request with its answer to {@code tap} (null: none).
     */
    public HttpApi(
        final ActorSystem<?> system, final HttpSettings settings, final SwitchyardClient client,
        final Supplier<byte[]> model, final NodeHealth health, final BooleanSupplier located,
        final Supplier<Optional<String>> notReady,
        final Supplier<String> metrics, final LanguageModel languageModel, final TextTap tap)
    {
        this.openai = languageModel == null ? null : new OpenAiApi(languageModel, Materializer.matFromSystem(system),
            settings.timeout(), tap);
        this.settings = settings;
        this.client = client;
        this.infer = client == null ? null : new InferRoute(client, settings, located);
        this.model = model;
        this.health = health;
        this.notReady = notReady;
        this.metrics = metrics;
        this.bodies = new BodyReader(settings.maxBodyBytes(), settings.bodyTimeout(),
            Materializer.matFromSystem(system));
        try
        {
            this.listener = new HttpListener(system, settings, this::handle);
        }
        catch (final Exception ex)
        {
            throw new BadInputException("HTTP port " + settings.host() + ":" + settings.port() + " cannot be bound: " +
                (ex.getCause() != null ? ex.getCause().getMessage() : ex.getMessage()));
        }
    }

    public int port()
    {
        return listener.port();
    }

    private CompletionStage<HttpResponse> handle(final HttpRequest request, final InetSocketAddress caller,
        final Disconnect disconnect)
    {
        return bodies.read(request.entity())
            .thenCompose(body ->
            {
                try
                {
                    return route(request, body, caller, disconnect);
                }
                catch (final RuntimeException ex)
                {
                    return CompletableFuture.failedFuture(ex);
                }
            })
            .exceptionally(HttpApi::failure);
    }

    private CompletionStage<HttpResponse> route(final HttpRequest request, final byte[] body,
        final InetSocketAddress caller, final Disconnect disconnect)
    {
        final String path = request.getUri().path();
        final boolean get = request.method().equals(HttpMethods.GET);
        if (openai != null && OpenAiApi.serves(path))
        {
            return openai.handle(request, body, disconnect);
        }
        final Matcher inferPath = INFER.matcher(path);
        if (inferPath.matches())
        {
            if (!request.method().equals(HttpMethods.POST))
            {
                throw ApiError.methodNotAllowed(path + " takes POST");
            }
            if (infer == null)
            {
                throw ApiError.notFound("this node runs no gateway");
            }
            return infer(request, body, Integer.parseInt(inferPath.group(1)), caller);
        }
        switch (path)
        {
            case "/health" ->
            {
                requireGet(get, path);
                // Alive is what liveness asks: a node waiting for its experts is not restarted.
                return done(Responses.text(health.alive() ? 200 : 503, ContentTypes.TEXT_PLAIN_UTF8, health.report()));
            }
            case "/ready" ->
            {
                requireGet(get, path);
                final Optional<String> why = health.alive() ? notReady.get() :
                    Optional.of("the data plane stopped: " + health.failed().join());
                return done(why.isEmpty() ? Responses.text(200, ContentTypes.TEXT_PLAIN_UTF8, "ready\n") :
                    Responses.error(ApiError.notReady(why.get())));
            }
            case "/metrics" ->
            {
                requireGet(get, path);
                return done(Responses.text(200, Responses.PROMETHEUS_TEXT, metrics.get()));
            }
            case "/v1/model" ->
            {
                requireGet(get, path);
                if (model == null)
                {
                    throw ApiError.notFound("this node runs no gateway");
                }
                return done(Responses.json(200, model.get()));
            }
            default -> throw ApiError.notFound("no such resource: " + path);
        }
    }

    private CompletionStage<HttpResponse> infer(
        final HttpRequest request, final byte[] body, final int layer, final InetSocketAddress caller)
    {
        final String type = request.entity().getContentType().mediaType().toString();
        final boolean json = type.equals("application/json");
        if (!json && !type.equals("application/x-npy"))
        {
            throw ApiError.unsupportedMediaType("the body is " + type +
                "; send application/x-npy (float32 [T, d_model]) " +
                "or application/json");
        }
        final boolean answerJson = json || wantsJson(request);
        return infer.infer(layer, body, json, answerJson, routing(request), deadline(request), caller.getAddress());
    }

    /** {@code ?routing=true|false}: anything else is refused rather than read as false. */
    private static boolean routing(final HttpRequest request)
    {
        final Optional<String> text = request.getUri().query().get("routing");
        if (text.isEmpty() || text.get().equals("false"))
        {
            return false;
        }
        if (text.get().equals("true"))
        {
            return true;
        }
        throw ApiError.badRequest("routing=" + text.get() + ": the routing parameter takes true or false");
    }

    /** {@code ?deadline_ms=N}, at most the configured request timeout. */
    private Duration deadline(final HttpRequest request)
    {
        final Optional<String> text = request.getUri().query().get("deadline_ms");
        if (text.isEmpty())
        {
            return settings.timeout();
        }
        final long ms;
        try
        {
            ms = Long.parseLong(text.get());
        }
        catch (final NumberFormatException ex)
        {
            throw ApiError.badRequest("deadline_ms=" + text.get() + " is not a whole number of milliseconds");
        }
        if (ms < 1)
        {
            throw ApiError.badRequest("deadline_ms must be 1 or more (got " + ms + ")");
        }
        return Duration.ofMillis(Math.min(ms, settings.timeout().toMillis()));
    }

    private static boolean wantsJson(final HttpRequest request)
    {
        return request.getHeader(Accept.class)
            .map(a -> a.value().contains("application/json") && !a.value().contains("application/x-npy"))
            .orElse(false);
    }

    private static void requireGet(final boolean get, final String path)
    {
        if (!get)
        {
            throw ApiError.methodNotAllowed(path + " takes GET");
        }
    }

    private static CompletionStage<HttpResponse> done(final HttpResponse response)
    {
        return CompletableFuture.completedFuture(response);
    }

    private static HttpResponse failure(final Throwable thrown)
    {
        final Throwable t = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() :
            thrown;
        if (t instanceof ApiError error)
        {
            // A body that did not arrive leaves the connection mid-request: it cannot carry another.
            return error.status == 408 ? Responses.error(error).addHeader(Connection.create("close")) :
                Responses.error(error);
        }
        if (t instanceof BadInputException bad)
        {
            return Responses.error(ApiError.badRequest(bad.getMessage()));
        }
        LOG.warn("HTTP request failed", t);
        return Responses.error(ApiError.of(500, "internal", String.valueOf(t.getMessage())));
    }

    @Override
    public void close()
    {
        try
        {
            listener.close();
        }
        catch (final Exception ex)
        {
            LOG.debug("HTTP listener did not unbind cleanly", ex);
        }
        if (client != null)
        {
            client.close();
        }
    }
}
