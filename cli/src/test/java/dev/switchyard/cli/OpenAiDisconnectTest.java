package dev.switchyard.cli;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.transformer.serving.EngineLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole (not streamed) answer whose client closes its connection: the sequence leaves the running batch at
 * the engine's next step, long before its max_tokens.
 */
class OpenAiDisconnectTest
{
    private static final int MAX_TOKENS = 200_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void aClientClosingItsConnectionCancelsItsWholeAnswer() throws Exception
    {
        final Path model = TextCheckpoints.copy("qwen2_moe", dir);
        try (LanguageServer server = LanguageServer.start(model, ConfigFactory.parseString(
                "switchyard.http.port = 0, pekko.loglevel = WARNING").withFallback(ConfigFactory.load()),
                new EngineLimits(4, 1_000_000, 4), 1, false);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build())
        {
            final URI metrics = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
            final byte[] body = ("{\"prompt\": \"the\", \"max_tokens\": " + MAX_TOKENS + ", \"temperature\": 0.9, " +
                "\"seed\": 3}").getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", server.port()))
            {
                final OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                    "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                awaitMetric(client, metrics, "switchyard_lm_running_sequences 1.0");
            }
            // The socket is closed: the sequence must leave the batch now, not after its 200,000 tokens.
            final String after = awaitMetric(client, metrics, "switchyard_lm_running_sequences 0.0");
            final String generated = after.lines().filter(l -> l.startsWith("switchyard_lm_generated_tokens_total"))
                .findFirst().orElseThrow();
            assertTrue(Double.parseDouble(generated.split(" ")[1]) < MAX_TOKENS, generated);
        }
    }

    /** Polls /metrics until it shows {@code line}; the test's timeout bounds it. */
    private static String awaitMetric(final HttpClient client, final URI metrics, final String line) throws Exception
    {
        while (true)
        {
            final String text = client.send(HttpRequest.newBuilder(metrics).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
            if (text.lines().anyMatch(line::equals))
            {
                return text;
            }
            Thread.onSpinWait();
        }
    }
}
