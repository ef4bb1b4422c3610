package dev.switchyard.node.http;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP listener against slow, lying and greedy clients, over real sockets: headers or a body
 * that do not arrive in time get 408 and a closed connection, a malformed Content-Length a JSON
 * 400 at once, refusals (413, 429) are read by an ordinary client, one caller cannot take every
 * slot, and a query parameter out of its values is refused.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SlowAndLyingClientTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final int PER_CALLER = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static TestNode node;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception
    {
        node = new TestNode(dir, "switchyard.http { header-timeout = 1s, body-timeout = 1s, max-body = 256k, " +
            "max-tokens = 3000, max-concurrent-per-caller = " + PER_CALLER + " }");
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop()
    {
        CloseHelper.quietCloseAll(http, node);
    }

    /** The answer is the JSON error object with this status and code, and the connection was closed after it. */
    private static void assertErrorAndClosed(final RawConnection.Answer answer, final int status, final String code)
        throws Exception
    {
        assertEquals(status, answer.status(), answer.headers() + answer.body());
        assertTrue(answer.headers().toLowerCase().contains("content-type: application/json"), answer.headers());
        final JsonNode error = JSON.readTree(answer.body());
        assertEquals(code, error.path("error").asText(), answer.body());
        assertFalse(error.path("message").asText().isEmpty(), answer.body());
        assertTrue(answer.closed(), "the connection stayed open after " + status);
    }

    private static double seconds(final RawConnection.Answer answer)
    {
        return answer.nanos() / 1e9;
    }

    @Test
    void headersSentSlowlyGet408WithinTheHeaderTimeout() throws Exception
    {
        try (RawConnection c = new RawConnection(node.port, Duration.ofSeconds(10)))
        {
            final Thread writer = c.trickle("POST /v1/layers/0:infer HTTP/1.1\r\nHost: localhost\r\n" +
                "Content-Type: application/x-npy\r\nContent-Length: 10\r\n\r\n0123456789", Duration.ofMillis(200));
            final RawConnection.Answer answer = c.read();
            assertErrorAndClosed(answer, 408, "request_timeout");
            assertTrue(answer.body().contains("header-timeout"), answer.body());
            assertTrue(seconds(answer) >= 0.9 && seconds(answer) < 5, "408 after " + seconds(answer) + " s");
            writer.join(5000);
            assertFalse(writer.isAlive(), "the slow writer still writes to a closed connection");
        }
    }

    @Test
    void aConnectionThatSendsNothingGets408() throws Exception
    {
        try (RawConnection c = new RawConnection(node.port, Duration.ofSeconds(10)))
        {
            final RawConnection.Answer answer = c.read();
            assertErrorAndClosed(answer, 408, "request_timeout");
            assertTrue(seconds(answer) >= 0.9 && seconds(answer) < 5, "408 after " + seconds(answer) + " s");
        }
    }

    @Test
    void aBodySentSlowlyGets408WithinTheBodyTimeout() throws Exception
    {
        try (RawConnection c = new RawConnection(node.port, Duration.ofSeconds(10)))
        {
            c.write("POST /v1/layers/0:infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-npy\r\n" +
                "Content-Length: 100\r\n\r\n");
            final long headersSent = System.nanoTime();
            final Thread writer = c.trickle("x".repeat(100), Duration.ofMillis(200));
            final RawConnection.Answer answer = c.read();
            assertErrorAndClosed(answer, 408, "request_timeout");
            assertTrue(answer.body().contains("body-timeout"), answer.body());
            final double after = (c.openedNanos() + answer.nanos() - headersSent) / 1e9;
            assertTrue(after >= 0.9 && after < 5, "408 after " + after + " s");
            writer.join(5000);
            assertFalse(writer.isAlive(), "the slow writer still writes to a closed connection");
        }
    }

    @Test
    void aContentLengthLargerThanTheBodyGets408() throws Exception
    {
        try (RawConnection c = new RawConnection(node.port, Duration.ofSeconds(10)))
        {
            c.write("POST /v1/layers/0:infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-npy\r\n" +
                "Content-Length: 1000\r\n\r\n0123456789");
            final RawConnection.Answer answer = c.read();
            assertErrorAndClosed(answer, 408, "request_timeout");
            assertTrue(answer.body().contains("Content-Length says 1000"), answer.body());
            assertTrue(seconds(answer) >= 0.9 && seconds(answer) < 5, "408 after " + seconds(answer) + " s");
        }
    }

    @Test
    void aMalformedContentLengthGetsAJson400AtOnce() throws Exception
    {
        for (final String length : List.of("-1", "9223372036854775808", "ten", "1e3"))
        {
            try (RawConnection c = new RawConnection(node.port, Duration.ofSeconds(10)))
            {
                c.write("POST /v1/layers/0:infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-npy\r\n" +
                    "Content-Length: " + length + "\r\n\r\n0123456789");
                final RawConnection.Answer answer = c.read();
                assertErrorAndClosed(answer, 400, "bad_request");
                assertTrue(answer.body().contains("Content-Length"), length + ": " + answer.body());
                assertTrue(seconds(answer) < 0.9, length + ": 400 after " + seconds(answer) + " s");
            }
        }
    }

    @Test
    void refusalsOfABurstAreReadByAnOrdinaryClient() throws Exception
    {
        final byte[] tooLarge = TestNode.npyTokens(5000, 1);
        final byte[] fits = TestNode.npyTokens(2000, 2);
        final List<CompletableFuture<HttpResponse<byte[]>>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++)
        {
            futures.add(http.sendAsync(HttpRequest.newBuilder(URI.create(node.base() + "/v1/layers/0:infer"))
                .header("Content-Type", "application/x-npy")
                .POST(HttpRequest.BodyPublishers.ofByteArray(i % 3 == 0 ? tooLarge : fits)).build(),
                HttpResponse.BodyHandlers.ofByteArray()));
        }
        int ok = 0;
        int large = 0;
        int overloaded = 0;
        for (final CompletableFuture<HttpResponse<byte[]>> f : futures)
        {
            final HttpResponse<byte[]> response = f.get(120, TimeUnit.SECONDS);
            switch (response.statusCode())
            {
                case 200 -> ok++;
                case 413 -> large += code(response, "too_large");
                case 429 -> overloaded += code(response, "overloaded");
                default -> throw new AssertionError(response.statusCode() + " " + new String(response.body()));
            }
        }
        assertEquals(100, large, "413 answers");
        assertEquals(200, ok + overloaded);
        assertTrue(overloaded > 0 && ok > 0, ok + " answered, " + overloaded + " refused");
    }

    @Test
    void oneCallerCannotHoldEverySlot() throws Exception
    {
        final byte[] body = TestNode.npyTokens(2000, 3);
        final List<CompletableFuture<HttpResponse<byte[]>>> greedy = new ArrayList<>();
        for (int i = 0; i < 60; i++)
        {
            greedy.add(http.sendAsync(infer(body), HttpResponse.BodyHandlers.ofByteArray()));
        }
        // Another caller, from another loopback address, is served while the first is refused.
        try (HttpClient other = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2")).build())
        {
            for (int i = 0; i < 8; i++)
            {
                final HttpResponse<byte[]> response = other.send(infer(body), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, response.statusCode(), new String(response.body()));
            }
        }
        int refused = 0;
        for (final CompletableFuture<HttpResponse<byte[]>> f : greedy)
        {
            final HttpResponse<byte[]> response = f.get(60, TimeUnit.SECONDS);
            if (response.statusCode() == 429)
            {
                refused += code(response, "overloaded");
                assertTrue(new String(response.body()).contains("this caller (127.0.0.1)"), new String(response.body()));
            }
            else
            {
                assertEquals(200, response.statusCode(), new String(response.body()));
            }
        }
        assertTrue(refused > 0, "60 requests at once never passed " + PER_CALLER + " of one caller");
    }

    @Test
    void aRoutingValueOtherThanTrueOrFalseIs400() throws Exception
    {
        final HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(
            URI.create(node.base() + "/v1/layers/0:infer?routing=maybe")).header("Content-Type", "application/x-npy")
            .POST(HttpRequest.BodyPublishers.ofByteArray(TestNode.npyTokens(3, 4))).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(400, response.statusCode());
        assertEquals(1, code(response, "bad_request"));
        assertTrue(new String(response.body()).contains("routing=maybe"), new String(response.body()));
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(node.base() + "/v1/layers/0:infer?routing=false"))
            .header("Content-Type", "application/x-npy")
            .POST(HttpRequest.BodyPublishers.ofByteArray(TestNode.npyTokens(3, 4))).build(),
            HttpResponse.BodyHandlers.ofByteArray()).statusCode());
    }

    private static HttpRequest infer(final byte[] body)
    {
        return HttpRequest.newBuilder(URI.create(node.base() + "/v1/layers/0:infer"))
            .header("Content-Type", "application/x-npy").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** 1 when the body is the JSON error object with this code. */
    private static int code(final HttpResponse<byte[]> response, final String code) throws Exception
    {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(code, JSON.readTree(response.body()).path("error").asText(), new String(response.body()));
        return 1;
    }
}
