package dev.switchyard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.testkit.TestData;
import dev.switchyard.transformer.serving.EngineLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code serve --openai}: the server it starts (the node's listener, the engine, its metrics on /metrics) and
 * the flags it refuses.
 */
class ServeOpenAiTest
{
    @TempDir
    Path dir;

    @Test
    void servesCompletionsAndEngineMetrics() throws Exception
    {
        final Path model = TextCheckpoints.copy("qwen2_moe", dir);
        try (LanguageServer server = LanguageServer.start(model, ConfigFactory.parseString(
                "switchyard.http.port = 0, pekko.loglevel = WARNING").withFallback(ConfigFactory.load()),
                new EngineLimits(4, 10_000, 4), 1);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build())
        {
            final URI base = URI.create("http://127.0.0.1:" + server.port());
            final HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"model\": \"qwen2_moe\", \"prompt\": \"the\", \"max_tokens\": 5, \"temperature\": 0}")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            final String metrics = client.send(HttpRequest.newBuilder(base.resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("switchyard_lm_generated_tokens_total 5.0"), metrics);
            assertTrue(metrics.contains("switchyard_lm_time_to_first_token_seconds_count 1"), metrics);
            assertTrue(metrics.contains("switchyard_lm_inter_token_seconds_count 4"), metrics);
            assertTrue(metrics.contains("switchyard_lm_requests_total{reason=\"length\"} 1.0"), metrics);
            assertTrue(metrics.contains("switchyard_lm_running_sequences 0.0"), metrics);
        }
    }

    @Test
    void refusesWhatDoesNotApply()
    {
        final String seed = TestData.checkpoints().resolve("mixtral").toString();
        assertTrue(refused("serve", "--openai", "--model", seed).contains("give --http-port PORT"));
        assertTrue(refused("serve", "--openai", "--model", seed, "--http-port", "8000", "--role", "experts")
            .contains("--role, --bind, --seed-nodes, --cluster, --data-host and --record do not apply"));
        assertTrue(refused("serve", "--openai", "--model", dir.toString(), "--http-port", "8000")
            .contains("--openai serves a decoder-only Hugging Face checkpoint folder"));
    }

    private static String refused(final String... args)
    {
        final CommandLine cli = Main.commandLine();
        final StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute(args), err.toString());
        return err.toString();
    }
}
