package dev.switchyard.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.transformer.serving.EngineLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code serve --openai --record} then {@code replay --openai --verify}: completions and chat, streamed and
 * whole, greedy, seeded and sampled without a seed, and an error, recorded through a server and replayed against
 * a fresh one (all deterministic answers verified), then against another checkpoint (the first mismatch named).
 */
class TextRecordReplayTest
{
    private static final String[][] REQUESTS = {
        {"/v1/completions", "{\"prompt\": \"the\", \"max_tokens\": 6, \"temperature\": 0}"},
        {"/v1/completions", "{\"prompt\": \"but if can\", \"max_tokens\": 7, \"temperature\": 0.9, \"seed\": 5, " +
            "\"stream\": true}"},
        {"/v1/completions", "{\"prompt\": \"one with\", \"max_tokens\": 5, \"temperature\": 0.8}"},
        {"/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"the\"}], \"max_tokens\": 5, " +
            "\"temperature\": 0, \"stream\": true}"},
        {"/v1/completions", "{\"prompt\": \"the\", \"max_tokens\": -1}"}};

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void recordedTextTrafficReplaysAndVerifies() throws Exception
    {
        final Path model = TextCheckpoints.copy("qwen2_moe", dir);
        final Path record = dir.resolve("rec");
        try (LanguageServer server = LanguageServer.start(model, config(), new EngineLimits(4, 10_000, 4), 1, false,
                record);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build())
        {
            for (final String[] r : REQUESTS)
            {
                client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + r[0]))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(r[1])).build(),
                    HttpResponse.BodyHandlers.ofString());
            }
        }
        final String listed = cli("recordings", record.toString()).out();
        assertTrue(listed.contains("5 text requests") && listed.contains("answered 200 4 400 1") &&
            listed.contains("language model qwen2_moe"), listed);

        final Result same = replayAgainst(model, record);
        assertEquals(0, same.code(), same.out());
        assertTrue(same.out().contains("verify: verified 4, mismatched 0, not comparable 1"), same.out());

        final Path other = TextCheckpoints.copy("mixtral", dir);
        final Result different = replayAgainst(other, record);
        assertEquals(1, different.code(), different.out());
        assertTrue(different.out().contains("first mismatch: request 0 (/v1/completions at +0.000 s): recorded ids"),
            different.out());
    }

    private Result replayAgainst(final Path model, final Path record) throws Exception
    {
        try (LanguageServer server = LanguageServer.start(model, config(), new EngineLimits(4, 10_000, 4), 1, false))
        {
            return cli("replay", record.toString(), "--openai", "http://127.0.0.1:" + server.port() + "/v1",
                "--speed", "4", "--verify");
        }
    }

    private static Config config()
    {
        return ConfigFactory.parseString("switchyard.http.port = 0, pekko.loglevel = WARNING")
            .withFallback(ConfigFactory.load());
    }

    private record Result(int code, String out)
    {
    }

    private static Result cli(final String... args)
    {
        final PrintStream was = System.out;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try
        {
            final int code = Main.commandLine().execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(was);
        }
    }
}
