package dev.switchyard.tools.lmload;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchyard.tools.loadgen.Arrivals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a request can end, each counted once: a real HTTP server (the JDK's) answers each request by its index
 * (its body's seed) OK, 429, 500, with an error event, cut off, or never; a closed port refuses connections.
 */
class LmRunTest
{
    private static final Pattern SEED = Pattern.compile("\"seed\": (\\d+)");
    private static final String TOKEN = "data: {\"choices\": [{\"text\": \"a\", \"logprobs\": {\"tokens\": [\"a\"]}, " +
        "\"finish_reason\": null}]}\n\n";

    @Test
    @Timeout(30)
    void everyRequestEndsInExactlyOneBucket() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final ExecutorService handlers = Executors.newCachedThreadPool();
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(handlers);
        server.createContext("/v1/completions", exchange -> answer(exchange, release));
        server.start();
        try
        {
            final Workload workload = Workload.drawn(new Arrivals("constant", 40, 1), 300_000_000L,
                LengthSpec.parse("--prompt-tokens", "5"), LengthSpec.parse("--output-tokens", "2"), 0,
                new Workload.Limits(0, 0));
            final LmResult r = new LmRun(LmRun.completionsOf("http://127.0.0.1:" + server.getAddress().getPort()),
                10, 0, 0, null, false, Duration.ofMillis(500), System.err, 0).run(workload, "buckets",
                new Slo(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY));
            assertEquals(12, r.sent());
            assertEquals(r.sent(), r.accounted());
            assertEquals(Map.of(Outcomes.OK, 2L, Outcomes.OVERLOADED, 2L, "http_500", 2L, Outcomes.STREAM_ERROR, 2L,
                Outcomes.CUT_OFF, 2L, Outcomes.NEVER_ANSWERED, 2L), r.outcomes());
            assertEquals(8, r.tokens());
            assertEquals(4, r.okTokens());
            assertEquals(4, r.reportedTokens());
            assertEquals(2, r.good());
            assertEquals("HTTP 429: the engine is full", r.firstMessages().get(Outcomes.OVERLOADED));
            assertEquals("FAILED: 2 of 12 requests were never answered", LmSummary.failure(r));
        }
        finally
        {
            release.countDown();
            server.stop(0);
            handlers.shutdownNow();
        }
    }

    @Test
    @Timeout(30)
    void aClosedPortIsConnectionFailedForEveryRequest() throws Exception
    {
        final int port;
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        final Workload workload = Workload.drawn(new Arrivals("constant", 50, 1), 100_000_000L,
            LengthSpec.parse("--prompt-tokens", "3"), LengthSpec.parse("--output-tokens", "3"), 0,
            new Workload.Limits(0, 0));
        final LmResult r = new LmRun(LmRun.completionsOf("http://127.0.0.1:" + port + "/v1"), 10, 0, 0, null, false,
            Duration.ofSeconds(20), System.err, 0).run(workload, "refused", new Slo(100, 100));
        assertEquals(5, r.sent());
        assertEquals(Map.of(Outcomes.CONNECTION_FAILED, 5L), r.outcomes());
        assertTrue(LmSummary.failure(r).startsWith("FAILED: most requests did not end OK: 5 of 5"));
    }

    /** Request i (its seed) is answered by kind i % 6. */
    private static void answer(final HttpExchange exchange, final CountDownLatch release) throws IOException
    {
        final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        final Matcher seed = SEED.matcher(body);
        final int kind = seed.find() ? Integer.parseInt(seed.group(1)) % 6 : -1;
        switch (kind)
        {
            case 1 -> send(exchange, 429, "{\"error\": {\"message\": \"the engine is full\"}}");
            case 2 -> send(exchange, 500, "{\"error\": {\"message\": \"boom\"}}");
            case 3 -> send(exchange, 200, TOKEN + "data: {\"error\": {\"message\": \"late\"}}\n\ndata: [DONE]\n\n");
            case 4 -> send(exchange, 200, TOKEN);
            case 5 ->
            {
                try
                {
                    release.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
            }
            default -> send(exchange, 200, TOKEN + TOKEN + "data: {\"choices\": [{\"text\": \"\", \"finish_reason\": " +
                "\"length\"}]}\n\ndata: {\"choices\": [], \"usage\": {\"completion_tokens\": 2}}\n\ndata: [DONE]\n\n");
        }
    }

    private static void send(final HttpExchange exchange, final int status, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }
}
