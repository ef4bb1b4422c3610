package dev.switchyard.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import dev.switchyard.testkit.TestData;
import dev.switchyard.transformer.io.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code switchyard generate} on a decoder-only checkpoint: transformers' greedy ids
 * (testdata/lm/mixtral/greedy.npy) in process and with the MoE layers through the embedded system, and
 * the seed model's flags refused.
 */
class CheckpointGenerateTest
{
    @TempDir
    Path dir;

    private static int generate(final StringWriter err, final String... args)
    {
        final CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void greedyIdsMatchTheReference()
    {
        assertTrue(greedy("--local").startsWith("generate: 3 rows, greedy, 24 new tokens, mixtral checkpoint, " +
            "in process"));
    }

    /** Every MoE layer of every step one exact request to the embedded system: the same ids. */
    @Test
    void throughTheSystemTheIdsAreTheSame()
    {
        assertTrue(greedy().startsWith("generate: 3 rows, greedy, 24 new tokens, mixtral checkpoint, " +
            "through the embedded system"));
    }

    /** Generates from the reference prompts, checks the ids against transformers', returns the summary. */
    private String greedy(final String... where)
    {
        final Path lm = TestData.checkpoints().resolveSibling("lm").resolve("mixtral");
        final String model = TestData.checkpoints().resolve("mixtral").toString();
        final Path out = dir.resolve("out.npy");
        final StringWriter err = new StringWriter();
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try
        {
            final String[] args = {"generate", "--model", model, "--input", lm.resolve("prompts.npy").toString(),
                "--output", out.toString(), "--max-new-tokens", "8", "--threads", "1"};
            final String[] all = Arrays.copyOf(args, args.length + where.length);
            System.arraycopy(where, 0, all, args.length, where.length);
            assertEquals(0, generate(err, all), err.toString());
        }
        finally
        {
            System.setOut(stdout);
        }
        final TensorFiles.Ids expected = TensorFiles.readIds("greedy", lm.resolve("greedy.npy"));
        final TensorFiles.Ids actual = TensorFiles.readIds("out", out);
        assertEquals(expected.cols(), actual.cols(), "[B, L + N]");
        assertArrayEquals(expected.data(), actual.data());
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkpointFoldersGenerateWithTheirOwnFlags()
    {
        final Path lm = TestData.checkpoints().resolveSibling("lm").resolve("mixtral");
        final String model = TestData.checkpoints().resolve("mixtral").toString();
        final String prompts = lm.resolve("prompts.npy").toString();
        final String out = dir.resolve("out.npy").toString();
        final StringWriter seedOnly = new StringWriter();
        assertEquals(2, generate(seedOnly, "generate", "--model", model, "--input", prompts, "--output", out,
            "--max-new-tokens", "8", "--beam-size", "2", "--stream", "--local"));
        assertTrue(seedOnly.toString().contains("--beam-size, --stream apply to the seed's transformer models"),
            seedOnly.toString());
        final StringWriter missing = new StringWriter();
        assertEquals(2, generate(missing, "generate", "--model", model, "--input", prompts, "--output", out,
            "--local"));
        assertTrue(missing.toString().contains("--max-new-tokens is required"), missing.toString());
    }
}
