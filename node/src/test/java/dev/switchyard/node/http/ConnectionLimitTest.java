package dev.switchyard.node.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.testkit.Await;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 1,100 connections holding partial headers against a listener of 1,000: the surplus is refused
 * 503 at once, a good request meanwhile is refused at once too (never left to time out), the held
 * connections get 408 after the header timeout, and good requests are served again.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConnectionLimitTest
{
    private static final int MAX = 1000;
    private static final int HELD = 1100;

    @TempDir
    static Path dir;

    static TestNode node;

    @BeforeAll
    static void start() throws Exception
    {
        node = new TestNode(dir, "switchyard.http { header-timeout = 10s, max-connections = " + MAX + " }");
    }

    @AfterAll
    static void stop()
    {
        CloseHelper.quietClose(node);
    }

    @Test
    void theSurplusIsRefusedAtOnceAndThePartialHeadersTimeOut() throws Exception
    {
        final List<RawConnection> held = new ArrayList<>();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build())
        {
            final long opening = System.nanoTime();
            for (int i = 0; i < HELD; i++)
            {
                final RawConnection c = new RawConnection(node.port, Duration.ofSeconds(30));
                held.add(c);
                c.write("GET /health HTTP/1.1\r\nHost: loc");
            }
            final double opened = (System.nanoTime() - opening) / 1e9;
            assertTrue(opened < 8, HELD + " connections took " + opened + " s to open, past the header timeout");

            try (RawConnection one = new RawConnection(node.port, Duration.ofSeconds(30)))
            {
                final RawConnection.Answer answer = one.read();
                assertEquals(503, answer.status(), answer.body());
                assertTrue(answer.body().contains("max-connections"), answer.body());
                assertTrue(answer.closed());
                // At once means long before the 10 s header timeout, with room for a loaded two-core machine.
                assertTrue(answer.nanos() < TimeUnit.SECONDS.toNanos(5), "503 after " + answer.nanos() / 1e9 + " s");
            }
            final long sent = System.nanoTime();
            final HttpResponse<String> meanwhile = http.send(health(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, meanwhile.statusCode(), meanwhile.body());
            assertTrue(System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(5), "a refusal is not immediate");

            int refused = 0;
            int timedOut = 0;
            for (final RawConnection c : held)
            {
                final RawConnection.Answer answer = c.read();
                assertTrue(answer.closed());
                switch (answer.status())
                {
                    case 503 -> refused++;
                    case 408 -> timedOut++;
                    default -> throw new AssertionError(answer.status() + " " + answer.body());
                }
            }
            assertEquals(HELD - MAX, refused, "connections refused");
            assertEquals(MAX, timedOut, "connections timed out");
            // The held connections are closed: good requests are served again.
            final int[] status = new int[1];
            Await.until(() ->
            {
                try
                {
                    status[0] = http.send(health(), HttpResponse.BodyHandlers.ofString()).statusCode();
                }
                catch (final Exception ex)
                {
                    throw new AssertionError("/health could not be asked", ex);
                }
                return status[0] == 200;
            }, Duration.ofSeconds(10), () -> "/health still answers " + status[0] + " once the held connections closed");
            assertEquals(200, status[0]);
        }
        finally
        {
            held.forEach(CloseHelper::quietClose);
        }
    }

    private static HttpRequest health()
    {
        return HttpRequest.newBuilder(URI.create(node.base() + "/health")).GET().build();
    }
}
