package dev.switchyard.node.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Figures of the listener with its default settings, printed (a measurement, not a test; run with
 * {@code -Dswitchyard.figures=true}): the time to 408 or 400 of each slow or lying client, and a good
 * request's latency with and without 2,000 idle or partial connections open.
 */
@EnabledIfSystemProperty(named = "switchyard.figures", matches = "true")
class HttpEdgeFigures
{
    private static final String INFER = "POST /v1/layers/0:infer HTTP/1.1\r\nHost: localhost\r\n" +
        "Content-Type: application/x-npy\r\n";

    @TempDir
    Path dir;

    @Test
    void print() throws Exception
    {
        try (TestNode node = new TestNode(dir, "");
             HttpClient http = HttpClient.newBuilder().build();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor())
        {
            final List<String> names = List.of("headers at 1 byte/s", "body at 1 byte/s", "Content-Length 1000, 10 sent",
                "Content-Length -1", "Content-Length 2^63");
            final List<Future<String>> cases = new ArrayList<>();
            cases.add(threads.submit(timed(node, c -> c.trickle(INFER + "Content-Length: 10\r\n\r\n0123456789",
                Duration.ofSeconds(1)))));
            cases.add(threads.submit(timed(node, c ->
            {
                c.write(INFER + "Content-Length: 100\r\n\r\n");
                c.trickle("x".repeat(100), Duration.ofSeconds(1));
            })));
            cases.add(threads.submit(timed(node, c -> c.write(INFER + "Content-Length: 1000\r\n\r\n0123456789"))));
            cases.add(threads.submit(timed(node, c -> c.write(INFER + "Content-Length: -1\r\n\r\n0123456789"))));
            cases.add(threads.submit(timed(node, c -> c.write(INFER + "Content-Length: 9223372036854775808\r\n\r\n01"))));
            for (int i = 0; i < names.size(); i++)
            {
                System.out.println("FIGURE " + names.get(i) + ": " + cases.get(i).get(60, TimeUnit.SECONDS));
            }

            final HttpRequest good = HttpRequest.newBuilder(URI.create(node.base() + "/v1/layers/0:infer"))
                .header("Content-Type", "application/x-npy")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestNode.npyTokens(16, 1))).build();
            System.out.println("FIGURE good requests, nothing else open: " + latency(http, good));
            final List<RawConnection> open = new ArrayList<>();
            try
            {
                for (int i = 0; i < 2000; i++)
                {
                    final RawConnection c = new RawConnection(node.port, Duration.ofSeconds(30));
                    open.add(c);
                    if (i % 2 == 1)
                    {
                        c.write("GET /health HTTP/1.1\r\nHo");
                    }
                }
                System.out.println("FIGURE good requests, 1,000 idle and 1,000 partial-header connections open: " +
                    latency(http, good));
            }
            finally
            {
                open.forEach(CloseHelper::quietClose);
            }
        }
    }

    @FunctionalInterface
    private interface Client
    {
        void start(RawConnection c) throws Exception;
    }

    private static Callable<String> timed(final TestNode node, final Client client)
    {
        return () ->
        {
            try (RawConnection c = new RawConnection(node.port, Duration.ofSeconds(60)))
            {
                client.start(c);
                final RawConnection.Answer answer = c.read();
                return String.format(Locale.ROOT, "%d after %.3f s from the connection's opening, closed: %s", answer.status(),
                    answer.nanos() / 1e9, answer.closed());
            }
        };
    }

    private static String latency(final HttpClient http, final HttpRequest request) throws Exception
    {
        for (int i = 0; i < 50; i++)
        {
            http.send(request, HttpResponse.BodyHandlers.discarding());
        }
        final long[] nanos = new long[200];
        for (int i = 0; i < nanos.length; i++)
        {
            final long start = System.nanoTime();
            assertEquals(200, http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d", nanos[99] / 1e6,
            nanos[197] / 1e6, nanos[199] / 1e6, nanos.length);
    }
}
