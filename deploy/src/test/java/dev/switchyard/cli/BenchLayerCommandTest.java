package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.switchyard.cli.CliTest.assertUserError;
import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench layer} runs every transport and mode to its contract line (figures are not checked). */
class BenchLayerCommandTest
{
    private static final Pattern LAST_LINE = Pattern.compile("p50_ms=[0-9.]+ p99_ms=[0-9.]+ tokens_per_s=[0-9.]+");

    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void createModel()
    {
        model = dir.resolve("model");
        final CliTest.Run init = cli("model", "init", "--out", model.toString(), "--d-model", "32", "--d-ff", "48",
            "--experts", "4", "--seed", "5", "--group-size", "16");
        assertEquals(0, init.status(), init.err());
    }

    private static String lastLine(final CliTest.Run run)
    {
        final String[] lines = run.out().strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void localAndArteryAlternateAndPrintTheirRatio()
    {
        final CliTest.Run run = cli("bench", "layer", "--model", model.toString(), "--tokens", "40",
            "--transport", "local,artery", "--warmup", "1", "--runs", "4", "--phase", "2");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("transport=artery experts=model tokens=40"), run.out());
        assertTrue(run.out().contains("artery/local: p50 "), run.out());
        assertTrue(LAST_LINE.matcher(lastLine(run)).matches(), lastLine(run));
    }

    @Test
    void theHttpApiRunsBesideTheAeronClient()
    {
        final CliTest.Run run = cli("bench", "layer", "--model", model.toString(), "--tokens", "40",
            "--transport", "aeron,http", "--warmup", "1", "--runs", "3");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("transport=http experts=model tokens=40"), run.out());
        assertTrue(run.out().contains("http/aeron: p50 "), run.out());
        assertTrue(LAST_LINE.matcher(lastLine(run)).matches(), lastLine(run));
    }

    @Test
    void identityExpertsRunThroughTheEmbeddedSystemOneTransportAfterTheOther()
    {
        final CliTest.Run run = cli("bench", "layer", "--model", model.toString(), "--tokens", "40",
            "--transport", "local,aeron", "--experts", "identity", "--warmup", "1", "--runs", "3", "--separate");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("transport=aeron experts=identity tokens=40"), run.out());
        assertTrue(run.out().contains("aeron/local: p50 "), run.out());
        assertTrue(LAST_LINE.matcher(lastLine(run)).matches(), lastLine(run));
    }

    @Test
    void openLoopMeasuresFromTheScheduleAndKeepsTheLastLine()
    {
        final CliTest.Run run = cli("bench", "layer", "--model", model.toString(), "--tokens", "32",
            "--open-loop", "--load", "0.5", "--duration", "0.5", "--warmup", "1", "--runs", "4");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("saturation_per_s="), run.out());
        assertTrue(Pattern.compile("sent=(\\d+) completed=\\1 failed=0 ").matcher(run.out()).find(), run.out());
        assertTrue(LAST_LINE.matcher(lastLine(run)).matches(), lastLine(run));
    }

    @Test
    void openLoopTakesOneTransport()
    {
        assertUserError(cli("bench", "layer", "--model", model.toString(), "--tokens", "16", "--open-loop",
            "--transport", "local,aeron"), "--open-loop runs one transport");
        assertUserError(cli("bench", "layer", "--model", model.toString(), "--tokens", "16",
            "--transport", "udp"), "--transport must be local, aeron, http or artery");
        assertUserError(cli("bench", "layer", "--model", model.toString(), "--tokens", "16",
            "--experts", "none"), "--experts must be model or identity");
    }
}
