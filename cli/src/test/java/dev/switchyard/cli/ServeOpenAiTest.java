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
                new EngineLimits(4, 10_000, 4), 1, false);
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

    /**
     * The MoE layers through a node started in the server's process (gateway, expert actors, Aeron):
     * greedy and seeded answers, with the log-probabilities of every step, are the in-process ones.
     */
    @Test
    void theMoeLayersThroughTheSystemGiveTheInProcessAnswers() throws Exception
    {
        final Path model = TextCheckpoints.copy("qwen2_moe", dir);
        final String[] bodies = {
            "{\"prompt\": \"the\", \"max_tokens\": 6, \"temperature\": 0, \"logprobs\": 2}",
            "{\"prompt\": \"but if can\", \"max_tokens\": 6, \"temperature\": 0.9, \"seed\": 5, \"logprobs\": 2}"};
        final String[] local = completions(model, false, bodies);
        final String[] served = completions(model, true, bodies);
        for (int i = 0; i < bodies.length; i++)
        {
            assertEquals(withoutIds(local[i]), withoutIds(served[i]), bodies[i]);
        }
    }

    private static String[] completions(final Path model, final boolean throughSystem, final String... bodies)
        throws Exception
    {
        final String node = "switchyard.model = \"" + model + "\", switchyard.role = all, " +
            "switchyard.cluster.port = 0, switchyard.gateway.bind = \"127.0.0.1:0\", " +
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off, ";
        // As serve reads it: the flags over the packaged Pekko settings over the defaults.
        final ClassLoader loader = ServeOpenAiTest.class.getClassLoader();
        try (LanguageServer server = LanguageServer.start(model, ConfigFactory.parseString(node +
                "switchyard.http.port = 0, pekko.loglevel = WARNING")
                .withFallback(ConfigFactory.parseResources(loader, "switchyard-pekko.conf"))
                .withFallback(ConfigFactory.defaultReference(loader)).resolve(),
                new EngineLimits(4, 10_000, 4), 1, throughSystem);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build())
        {
            final URI base = URI.create("http://127.0.0.1:" + server.port());
            final String[] answers = new String[bodies.length];
            for (int i = 0; i < bodies.length; i++)
            {
                final HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(bodies[i])).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                answers[i] = r.body();
            }
            return answers;
        }
    }

    /** The answer without what differs between two servers: its id and creation time. */
    private static String withoutIds(final String body)
    {
        return body.replaceAll("\"id\":\"[^\"]*\"", "").replaceAll("\"created\":[0-9]+", "");
    }

    @Test
    void refusesWhatDoesNotApply()
    {
        final String seed = TestData.checkpoints().resolve("mixtral").toString();
        assertTrue(refused("serve", "--openai", "--model", seed).contains("give --http-port PORT"));
        assertTrue(refused("serve", "--openai", "--model", seed, "--http-port", "8000", "--role", "experts")
            .contains("the language model's node runs the gateway (--role all or gateway)"));
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
