package dev.switchyard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.model.io.Npy;
import dev.switchyard.testkit.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code switchyard infer} on committed checkpoints: outputs, k-entry reports and degraded answers in
 * process, the same through the embedded system, errors.
 */
class CheckpointInferTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static int infer(final StringWriter err, final String... args)
    {
        final CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private static String[] args(final String name, final int layer, final Path y, final String... more)
    {
        final Path ref = TestData.checkpoints().resolve(name).resolve("reference");
        final String[] base = {"infer", "--model", TestData.checkpoints().resolve(name).toString(), "--layer",
            Integer.toString(layer), "--input", ref.resolve("layer" + layer + ".input.npy").toString(), "--output",
            y.toString()};
        final String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static double relativeError(final Path y, final Path reference)
    {
        final float[] out = Npy.read(y).data();
        final float[] ref = Npy.read(reference).data();
        double max = 0;
        double worst = 0;
        for (int i = 0; i < ref.length; i++)
        {
            max = Math.max(max, Math.abs(ref[i]));
            worst = Math.max(worst, Math.abs(out[i] - ref[i]));
        }
        return worst / max;
    }

    @Test
    void aSwitchLayerWithItsSequenceLengthMatchesTheReferenceAndReportsItsDrops() throws IOException
    {
        final Path y = dir.resolve("y.npy");
        final Path report = dir.resolve("r.json");
        final StringWriter err = new StringWriter();
        assertEquals(0, infer(err, args("switch_transformers", 1, y, "--local", "--group-size", "8", "--routing",
            report.toString())), err.toString());
        final Path ref = TestData.checkpoints().resolve("switch_transformers").resolve("reference");
        assertTrue(relativeError(y, ref.resolve("layer1.output.npy")) <= 1e-5);
        final JsonNode r = JSON.readTree(report.toFile());
        final int[] expert = TestData.int32(ref.resolve("layer1.expert.npy"), 24, 1);
        assertEquals(24, r.get("expert").size());
        for (int t = 0; t < 24; t++)
        {
            assertEquals(1, r.get("expert").get(t).size(), "one entry per token for Switch");
            assertEquals(expert[t], r.get("expert").get(t).get(0).asInt(), "token " + t);
            if (expert[t] < 0)
            {
                assertEquals(0.0, r.get("gate").get(t).get(0).asDouble(), "a dropped token's gate");
            }
        }
    }

    @Test
    void unavailableExpertsGiveTheDegradedReference()
    {
        final Path y = dir.resolve("y.npy");
        final StringWriter err = new StringWriter();
        assertEquals(0, infer(err, args("deepseek_v3", 0, y, "--local", "--unavailable-experts", "7,11")),
            err.toString());
        assertTrue(relativeError(y, TestData.checkpoints().resolve("deepseek_v3").resolve("reference")
            .resolve("layer0.output_unavailable.npy")) <= 1e-5);
    }

    /** Without --local, the embedded system: the output and the k-entry report are the in-process ones. */
    @Test
    void throughTheSystemTheOutputAndReportAreTheLocalOnes() throws IOException
    {
        final StringWriter err = new StringWriter();
        final Path local = dir.resolve("local.npy");
        final Path served = dir.resolve("served.npy");
        assertEquals(0, infer(err, args("qwen2_moe", 1, local, "--local", "--routing", dir.resolve("l.json")
            .toString())), err.toString());
        assertEquals(0, infer(err, args("qwen2_moe", 1, served, "--threads", "1", "--routing", dir.resolve("s.json")
            .toString())), err.toString());
        assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(served), "outputs through the system");
        assertArrayEquals(Files.readAllBytes(dir.resolve("l.json")), Files.readAllBytes(dir.resolve("s.json")),
            "routing reports through the system");
        final StringWriter degraded = new StringWriter();
        assertEquals(2, infer(degraded, args("qwen2_moe", 1, served, "--unavailable-experts", "1")));
        assertTrue(degraded.toString().contains("--unavailable-experts needs --local"), degraded.toString());
    }

    @Test
    void aCheckpointsOwnFlagsAreChecked()
    {

        final StringWriter groups = new StringWriter();
        assertEquals(2, infer(groups, args("mixtral", 0, dir.resolve("y.npy"), "--local", "--group-size", "4")));
        assertTrue(groups.toString().contains("--group-size applies to the capacity families"), groups.toString());

        final StringWriter weights = new StringWriter();
        assertEquals(2, infer(weights, args("mixtral", 0, dir.resolve("y.npy"), "--local", "--importance",
            dir.resolve("i.npy").toString())));
        assertTrue(weights.toString().contains("--importance applies to Switchyard model directories"),
            weights.toString());

        final StringWriter layer = new StringWriter();
        final String[] past = args("mixtral", 0, dir.resolve("y.npy"), "--local");
        past[4] = "5";
        assertEquals(2, infer(layer, past));
        assertTrue(layer.toString().contains("--layer 5") && layer.toString().contains("serves layers 0..1"),
            layer.toString());
    }
}
