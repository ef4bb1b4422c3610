package dev.switchyard.node.http;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchyard.node.http.openai.Disconnect;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import scala.concurrent.duration.FiniteDuration;

/**
 * The TCP listener under the HTTP API: Pekko's HTTP layer on each connection, under a
 * {@link ConnectionGuard} (header timeout, lingering close), and at most {@code max-connections}
 * connections: a further one is answered 503 and closed at once, so a flood of idle connections
 * neither hangs new callers in the accept backlog nor stops the node from serving those it holds.
 */
final class HttpListener implements AutoCloseable
{
    /** Answers one request of the caller at the given address. */
    @FunctionalInterface
    interface Handler
    {
        CompletionStage<HttpResponse> handle(HttpRequest request, InetSocketAddress caller, Disconnect disconnect);
    }

    /** How long a closing connection goes on reading what its client still sends. */
    private static final Duration LINGER = Duration.ofSeconds(2);
    /** Accepted connections wait here only for the accept loop, which refuses the surplus at once. */
    private static final int BACKLOG = 1024;

    private final ActorSystem<?> system;
    private final HttpSettings settings;
    private final ServerSettings server;
    private final Materializer materializer;
    private final Handler handler;
    private final AtomicInteger open = new AtomicInteger();
    private final Tcp.ServerBinding binding;

    HttpListener(final ActorSystem<?> system, final HttpSettings settings, final Handler handler) throws Exception
    {
        this.system = system;
        this.settings = settings;
        this.handler = handler;
        this.materializer = Materializer.matFromSystem(system);
        final ServerSettings defaults = ServerSettings.create(system.classicSystem());
        // Pekko's own request timeout is a backstop behind the request's deadline and its body's timeout.
        final Duration backstop = settings.timeout().plus(settings.bodyTimeout()).plusSeconds(10);
        this.server = defaults
            .withParserSettings(defaults.getParserSettings().withMaxContentLength(settings.maxBodyBytes() + 1))
            .withParsingErrorHandler(JsonParsingErrorHandler.class.getName())
            .withTimeouts(defaults.getTimeouts().withRequestTimeout(
                FiniteDuration.create(backstop.toMillis(), TimeUnit.MILLISECONDS)));
        this.binding = Tcp.get(system.classicSystem())
            .bind(settings.host(), settings.port(), BACKLOG, server.getSocketOptions(), true,
                server.getTimeouts().idleTimeout())
            .to(Sink.foreach(this::accept))
            .run(materializer)
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    int port()
    {
        return binding.localAddress().getPort();
    }

    /** Connections open now (refused ones not counted). */
    int openConnections()
    {
        return open.get();
    }

    private void accept(final Tcp.IncomingConnection connection)
    {
        if (open.incrementAndGet() > settings.maxConnections())
        {
            open.decrementAndGet();
            connection.handleWith(refusal(), materializer);
            return;
        }
        try
        {
            final CompletionStage<Done> closed = connection.handleWith(
                serve(connection.remoteAddress()).watchTermination(Keep.right()), materializer);
            closed.whenComplete((done, failure) -> open.decrementAndGet());
        }
        catch (final RuntimeException ex)
        {
            open.decrementAndGet();
            throw ex;
        }
    }

    private Flow<ByteString, ByteString, NotUsed> serve(final InetSocketAddress caller)
    {
        final ConnectionGuard.Signals signals = new ConnectionGuard.Signals();
        final Disconnect disconnect = new Disconnect();
        final Flow<HttpRequest, HttpResponse, NotUsed> requests = Flow.of(HttpRequest.class)
            .map(request ->
            {
                signals.headersIn();
                return request;
            })
            .mapAsync(1, request -> handler.handle(request, caller, disconnect))
            .map(response ->
            {
                signals.answered();
                return response;
            });
        // The client's bytes ending (it closed or reset the connection) is the only sign of a client gone
        // while a whole answer is made: nothing is written to it before then.
        final Flow<ByteString, ByteString, NotUsed> watched = Flow.of(ByteString.class)
            .watchTermination((NotUsed mat, CompletionStage<Done> done) ->
            {
                done.whenComplete((d, failure) -> disconnect.clientGone());
                return mat;
            });
        return watched.via(requests.join(httpLayer(caller)
            .atop(BidiFlow.fromGraph(new ConnectionGuard(settings.headerTimeout(), LINGER, signals)))));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> httpLayer(
        final InetSocketAddress caller)
    {
        // Plain TCP: the placebo passes bytes through as the TLS layer's types.
        final BidiFlow tls = TLSPlacebo.getInstance();
        return Http.get(system.classicSystem())
            .serverLayer(server, Optional.of(caller), Logging.getLogger(system.classicSystem(), HttpListener.class))
            .atop(tls);
    }

    /** The surplus connection: its 503, then read and drop what it sends for the linger time. */
    private Flow<ByteString, ByteString, NotUsed> refusal()
    {
        return Flow.fromSinkAndSource(
            Flow.of(ByteString.class).takeWithin(LINGER).to(Sink.ignore()),
            Source.single(RawErrors.tooManyConnections(settings.maxConnections())));
    }

    @Override
    public void close() throws Exception
    {
        binding.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
