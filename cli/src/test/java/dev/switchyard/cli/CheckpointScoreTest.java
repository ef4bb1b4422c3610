package dev.switchyard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import dev.switchyard.testkit.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code switchyard score --local} on a decoder-only checkpoint: transformers' logits, and one line without --local. */
class CheckpointScoreTest
{
    @TempDir
    Path dir;

    private static int score(final StringWriter err, final String... args)
    {
        final CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void logitsMatchTheReferenceInProcessAndThroughTheSystem() throws IOException
    {
        final Path lm = TestData.checkpoints().resolveSibling("lm").resolve("mixtral");
        final String model = TestData.checkpoints().resolve("mixtral").toString();
        final Path out = dir.resolve("logits.npy");
        final StringWriter err = new StringWriter();
        assertEquals(0, score(err, "score", "--model", model, "--targets", lm.resolve("ids.npy").toString(),
            "--logits", out.toString(), "--local"), err.toString());
        final float[] logits = TestData.float32(out);
        final float[] reference = TestData.float32(lm.resolve("logits.npy"));
        assertEquals(reference.length, logits.length, "[B, L, V]");
        double max = 0;
        double worst = 0;
        for (int i = 0; i < reference.length; i++)
        {
            max = Math.max(max, Math.abs(reference[i]));
            worst = Math.max(worst, Math.abs(logits[i] - reference[i]));
        }
        assertTrue(worst <= 1e-4 * max, "logits off by " + worst + " of max " + max);

        // The MoE layers through the embedded system, one exact request per layer: the same bits.
        final Path served = dir.resolve("served.npy");
        assertEquals(0, score(err, "score", "--model", model, "--targets", lm.resolve("ids.npy").toString(),
            "--logits", served.toString(), "--threads", "1"), err.toString());
        assertArrayEquals(logits, TestData.float32(served), "logits through the system");
    }
}
