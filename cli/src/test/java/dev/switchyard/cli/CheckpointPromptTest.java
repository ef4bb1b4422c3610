package dev.switchyard.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.transformer.io.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code generate --local --prompt TEXT}: the text encoded with the folder's tokenizer.json gives
 * transformers' greedy ids and prints their text (testdata/lm/text/reference.json).
 */
class CheckpointPromptTest
{
    @TempDir
    Path dir;

    private record Run(int code, String out, String err)
    {
    }

    private static Run run(final String... args)
    {
        final CommandLine cli = Main.commandLine();
        final StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        final PrintStream stdout = System.out;
        final PrintStream stderr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream summary = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(summary, true, StandardCharsets.UTF_8));
        try
        {
            final int code = cli.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err + summary.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    @Test
    void promptTextGivesTheReferenceIdsAndText() throws Exception
    {
        final JsonNode reference = new ObjectMapper().readTree(TextCheckpoints.text().resolve("reference.json")
            .toFile());
        for (final String name : new String[] {"mixtral", "qwen2_moe"})
        {
            final Path model = TextCheckpoints.copy(name, dir);
            int row = 0;
            for (final JsonNode r : reference.get(name))
            {
                final Path ids = dir.resolve(name + row++ + ".npy");
                final Run run = run("generate", "--model", model.toString(), "--prompt", r.get("prompt").asText(),
                    "--max-new-tokens", "8", "--output", ids.toString(), "--local");
                assertEquals(0, run.code(), run.err());
                assertEquals(r.get("text").asText() + System.lineSeparator(), run.out(), name + ": " + r);
                final int[] prompt = ints(r.get("prompt_ids"));
                final int[] fresh = ints(r.get("new_ids"));
                final int[] expected = new int[prompt.length + fresh.length];
                System.arraycopy(prompt, 0, expected, 0, prompt.length);
                System.arraycopy(fresh, 0, expected, prompt.length, fresh.length);
                assertArrayEquals(expected, TensorFiles.readIds("out", ids).data(), name + ": " + r);
                assertTrue(run.err().startsWith("generate: " + prompt.length + " tokens prompt, greedy, 8 new tokens, " +
                    name + " checkpoint, in process"), run.err());
            }
        }
    }

    @Test
    void promptAndIdsAreOneOrTheOther() throws Exception
    {
        final String model = TextCheckpoints.copy("mixtral", dir).toString();
        final StringWriter both = new StringWriter();
        assertEquals(2, refused(both, "generate", "--model", model, "--prompt", "the", "--input", "x.npy",
            "--max-new-tokens", "2", "--local"));
        assertTrue(both.toString().contains("give either --prompt or --input, not both"), both.toString());
        final StringWriter neither = new StringWriter();
        assertEquals(2, refused(neither, "generate", "--model", model, "--max-new-tokens", "2", "--local"));
        assertTrue(neither.toString().contains("--input IDS.npy and --output OUT.npy are required"),
            neither.toString());
    }

    private static int refused(final StringWriter err, final String... args)
    {
        final CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void scorePromptIsScoreOfItsIds() throws Exception
    {
        final JsonNode ref = new ObjectMapper().readTree(TextCheckpoints.text().resolve("reference.json").toFile())
            .get("mixtral").get(0);
        final Path model = TextCheckpoints.copy("mixtral", dir);
        final int[] ids = ints(ref.get("prompt_ids"));
        final Path targets = dir.resolve("targets.npy");
        TensorFiles.writeInts(targets, ids, 1, ids.length);
        final Path byText = dir.resolve("text.npy");
        final Path byIds = dir.resolve("ids.npy");
        final Run text = run("score", "--model", model.toString(), "--prompt", ref.get("prompt").asText(), "--logits",
            byText.toString(), "--local");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("score: 1 row of 7 positions, mixtral checkpoint, in process") &&
            text.out().contains("log-likelihood -") && text.out().contains("over 6 predicted tokens (perplexity "),
            text.out());
        assertEquals(0, run("score", "--model", model.toString(), "--targets", targets.toString(), "--logits",
            byIds.toString(), "--local").code());
        assertArrayEquals(Files.readAllBytes(byIds), Files.readAllBytes(byText));
    }

    private static int[] ints(final JsonNode array)
    {
        final int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
