package dev.switchyard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.testkit.TestData;
import dev.switchyard.transformer.serving.EngineLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code loadgen lm} open loop against {@code serve --openai}'s server in this process, on the tiny committed
 * checkpoint: every request sent ends in exactly one outcome, the tokens it counted are those the server's
 * /metrics says it generated, and the report files hold the percentiles.
 */
class LoadgenLmTest
{
    private static final Pattern GENERATED = Pattern.compile("switchyard_lm_generated_tokens_total ([0-9.]+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void everyRequestIsAccountedForAndTheTokensAreTheServers() throws Exception
    {
        final Path model = TextCheckpoints.copy("qwen2_moe", dir);
        try (LanguageServer server = LanguageServer.start(model, ConfigFactory.parseString(
                "switchyard.http.port = 0, pekko.loglevel = WARNING").withFallback(ConfigFactory.load()),
                new EngineLimits(8, 10_000, 64), 1, false);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build())
        {
            final String base = "http://127.0.0.1:" + server.port();
            final Path out = dir.resolve("report").resolve("lm");
            assertEquals(0, Main.run("loadgen", "lm", "--url", base, "--model", model.toString(), "--rate", "8",
                "--duration", "3", "--prompt-tokens", "uniform:4:40", "--output-tokens", "lognormal:12:0.5",
                "--context", "64", "--slo-ttft", "2000", "--slo-itl", "1000", "--progress", "1", "--report",
                out.toString()));
            final JsonNode report = new ObjectMapper().readTree(Files.readString(Path.of(out + ".json")));
            final long sent = report.path("sent").asLong();
            long accounted = 0;
            for (final JsonNode n : report.path("outcomes"))
            {
                accounted += n.asLong();
            }
            assertTrue(sent >= 10, report.toString());
            assertEquals(sent, accounted, report.path("outcomes").toString());
            assertEquals(sent, report.path("outcomes").path("ok").asLong(), report.path("notes").toString());
            long perSecondSent = 0;
            for (final JsonNode s : report.path("per_second"))
            {
                perSecondSent += s.path("sent").asLong();
            }
            assertEquals(sent, perSecondSent);

            final String metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
            final Matcher generated = GENERATED.matcher(metrics);
            assertTrue(generated.find(), metrics);
            assertEquals((long)Double.parseDouble(generated.group(1)), report.path("tokens").asLong());
            assertEquals(report.path("tokens").asLong(), report.path("usage_completion_tokens").asLong());
            assertEquals(sent, report.path("ttft_ms").path("count").asLong());
            assertEquals(report.path("tokens").asLong() - sent, report.path("itl_ms").path("count").asLong());
            for (final String p : new String[] {"p50", "p90", "p99", "max"})
            {
                assertTrue(report.path("ttft_ms").path(p).asDouble() > 0, p);
                assertTrue(report.path("e2e_ms").path(p).asDouble() >= report.path("ttft_ms").path("p50").asDouble()
                    || !p.equals("max"), p);
            }
            final String html = Files.readString(Path.of(out + ".html"));
            assertTrue(html.contains("TTFT (ms)") && html.contains("<svg") && html.contains("goodput"), html);
            for (final String suffix : new String[] {".ttft.hgrm", ".itl.hgrm", ".e2e.hgrm"})
            {
                assertTrue(Files.size(Path.of(out + suffix)) > 0, suffix);
            }
        }
    }

    @Test
    void refusesWhatCannotRun()
    {
        final String trace = TestData.checkpoints().resolveSibling("traces").resolve("azure.csv").toString();
        assertTrue(refused("loadgen", "lm", "--url", "http://127.0.0.1:1", "--rate", "1", "--duration", "1")
            .contains("give --model DIR (the served checkpoint) or --vocab V"));
        assertTrue(refused("loadgen", "lm", "--url", "localhost:8000", "--vocab", "10", "--rate", "1")
            .contains("--url must be http://HOST:PORT[/v1]"));
        assertTrue(refused("loadgen", "lm", "--url", "http://127.0.0.1:1", "--vocab", "10", "--trace", trace)
            .contains("--trace needs --trace-format"));
        assertTrue(refused("loadgen", "lm", "--url", "http://127.0.0.1:1", "--vocab", "10", "--rate", "1",
            "--duration", "1", "--output-tokens", "uniform:3").contains("--output-tokens must be N, uniform:MIN:MAX"));
        assertTrue(refused("loadgen", "--rate", "1").contains("loadgen needs --connect HOST:PORT"));
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
