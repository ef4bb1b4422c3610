package dev.switchyard.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import dev.switchyard.testkit.TestData;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench decode} on a checkpoint folder prints a step figure per batch size and the prefill line. */
class CheckpointDecodeBenchTest
{
    private static final Pattern STEP = Pattern.compile(
        "batch +\\d+: step in process [0-9.]+ ms, through the system [0-9.]+ ms \\([0-9.]+x\\), " +
            "\\d+ tokens/s in process");

    @Test
    void printsTheStepOfEachBatchInProcessAndThroughTheSystem()
    {
        final CommandLine cli = Main.commandLine();
        final StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(0, cli.execute("bench", "decode", "--model",
                TestData.checkpoints().resolve("olmoe").toString(), "--batches", "1,3", "--steps", "3", "--warm-up", "1", "--repeat", "1", "--prefill", "16",
                "--threads", "1"), err.toString());
        }
        finally
        {
            System.setOut(stdout);
        }
        final List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.getFirst().startsWith("bench decode: olmoe checkpoint"), lines.toString());
        assertTrue(STEP.matcher(lines.get(1)).matches() && lines.get(1).startsWith("batch   1"), lines.toString());
        assertTrue(STEP.matcher(lines.get(2)).matches() && lines.get(2).startsWith("batch   3"), lines.toString());
        assertTrue(lines.get(3).startsWith("prefill of 16 positions: one pass"), lines.toString());
    }
}
