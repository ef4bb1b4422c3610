package dev.switchyard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code switchyard tokenize} on the committed tokenizers: the reference file, and one-line errors. */
class TokenizeCommandTest
{
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    record Run(int status, String err)
    {
    }

    private static Run cli(final String... args)
    {
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), err.toString());
    }

    private static Path tokenizers()
    {
        Path at = Path.of("").toAbsolutePath();
        while (at != null && !Files.isDirectory(at.resolve("testdata/tokenizers")))
        {
            at = at.getParent();
        }
        assertTrue(at != null, "testdata/tokenizers above the working directory");
        return at.resolve("testdata/tokenizers");
    }

    @Test
    void writesTheReferenceIdsAndText() throws IOException
    {
        final JsonNode reference = JSON.readTree(tokenizers().resolve("reference.json").toFile());
        final Path in = dir.resolve("strings.json");
        JSON.writeValue(in.toFile(), reference.path("strings"));
        for (final String name : new String[] {"qwen2-bytelevel", "mixtral-bytefallback"})
        {
            final Path out = dir.resolve(name + ".json");
            final Run run = cli("tokenize", "--model", tokenizers().resolve(name).toString(), "--input", in.toString(),
                "--output", out.toString());
            assertEquals(0, run.status(), run.err());
            final ObjectNode want = JSON.createObjectNode();
            want.set("ids", reference.path("tokenizers").path(name).path("ids"));
            want.set("decoded", reference.path("tokenizers").path(name).path("decoded"));
            assertEquals(want, JSON.readTree(out.toFile()), name);
        }
    }

    @Test
    void anEmptyListWritesEmptyLists() throws IOException
    {
        final Path in = Files.writeString(dir.resolve("strings.json"), "[]");
        final Path out = dir.resolve("out.json");
        final Run run = cli("tokenize", "--model", tokenizers().resolve("qwen2-bytelevel").toString(), "--input",
            in.toString(), "--output", out.toString());
        assertEquals(0, run.status(), run.err());
        final ObjectNode want = JSON.createObjectNode();
        want.set("ids", JSON.createArrayNode());
        want.set("decoded", JSON.createArrayNode());
        assertEquals(want, JSON.readTree(out.toFile()));
    }

    @Test
    void aModelWithoutTokenizerJsonIsOneLine() throws IOException
    {
        final Path in = Files.writeString(dir.resolve("strings.json"), "[\"hello\"]");
        final Path out = dir.resolve("out.json");
        final Run run = cli("tokenize", "--model", dir.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(Main.EXIT_USER_ERROR, run.status());
        assertEquals("switchyard: model " + dir + " has no tokenizer.json" + System.lineSeparator(), run.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void inputThatIsNotAListOfStringsIsOneLine() throws IOException
    {
        final String model = tokenizers().resolve("qwen2-bytelevel").toString();
        final Path out = dir.resolve("out.json");
        final Path object = Files.writeString(dir.resolve("object.json"), "{\"strings\": [\"a\"]}");
        Run run = cli("tokenize", "--model", model, "--input", object.toString(), "--output", out.toString());
        assertEquals(Main.EXIT_USER_ERROR, run.status());
        assertEquals("switchyard: --input " + object + ": expected a JSON list of strings, found an object" +
            System.lineSeparator(), run.err());
        final ArrayNode mixed = JSON.createArrayNode().add("a").add(3);
        final Path list = dir.resolve("mixed.json");
        JSON.writeValue(list.toFile(), mixed);
        run = cli("tokenize", "--model", model, "--input", list.toString(), "--output", out.toString());
        assertEquals(Main.EXIT_USER_ERROR, run.status());
        assertEquals("switchyard: --input " + list + ": element 1 is a number, not a string" + System.lineSeparator(),
            run.err());
        final Path broken = Files.writeString(dir.resolve("broken.json"), "[\"a\",");
        run = cli("tokenize", "--model", model, "--input", broken.toString(), "--output", out.toString());
        assertEquals(Main.EXIT_USER_ERROR, run.status());
        assertTrue(run.err().startsWith("switchyard: --input " + broken + ": not valid JSON: "), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertFalse(Files.exists(out));
    }
}
