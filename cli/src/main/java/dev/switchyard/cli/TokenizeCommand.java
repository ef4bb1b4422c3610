package dev.switchyard.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.transformer.text.TextTokenizer;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code switchyard tokenize}: a model's tokenizer.json on a list of strings, ids and the text decoded back. */
@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    description = "Encode a JSON list of strings with the model's tokenizer.json (special tokens added as the " +
        "tokenizers library adds them), and decode the ids back (special tokens kept).")
final class TokenizeCommand implements Callable<Integer>
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, paramLabel = "DIR",
        description = "Model directory with tokenizer.json (and tokenizer_config.json).")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "STRINGS.json", description = "A JSON list of strings.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "OUT.json",
        description = "Written: {\"ids\": [[...]], \"decoded\": [...]}.")
    Path output;

    @Override
    public Integer call()
    {
        CliArgs.existingDirectory("--model", model);
        final List<String> strings = readStrings(CliArgs.existingFile("--input", input));
        CliArgs.writableFile("--output", output);
        final long start = System.nanoTime();
        final ObjectNode out = JSON.createObjectNode();
        final ArrayNode ids = out.putArray("ids");
        final ArrayNode decoded = out.putArray("decoded");
        long total = 0;
        try (TextTokenizer tokenizer = TextTokenizer.open(model))
        {
            for (final String s : strings)
            {
                final int[] row = tokenizer.encode(s);
                final ArrayNode r = ids.addArray();
                for (final int id : row)
                {
                    r.add(id);
                }
                decoded.add(tokenizer.decode(row));
                total += row.length;
            }
        }
        try
        {
            JSON.writeValue(output.toFile(), out);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("--output " + output + ": cannot write: " + ex.getMessage(), ex);
        }
        System.out.printf("tokenize: %s, %s, %.1f ms%n", Counts.of(strings.size(), "string"), Counts.of(total, "id"),
            (System.nanoTime() - start) / 1e6);
        return 0;
    }

    static List<String> readStrings(final Path file)
    {
        final JsonNode root;
        try
        {
            root = JSON.readTree(file.toFile());
        }
        catch (final JsonProcessingException ex)
        {
            throw new BadInputException("--input " + file + ": not valid JSON: " + ex.getOriginalMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("--input " + file + ": cannot read: " + ex.getMessage(), ex);
        }
        if (root == null || !root.isArray())
        {
            throw new BadInputException("--input " + file + ": expected a JSON list of strings, found " + kind(root));
        }
        final List<String> strings = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++)
        {
            final JsonNode s = root.get(i);
            if (!s.isTextual())
            {
                throw new BadInputException("--input " + file + ": element " + i + " is " + kind(s) + ", not a string");
            }
            strings.add(s.asText());
        }
        return strings;
    }

    private static String kind(final JsonNode node)
    {
        if (node == null || node.isMissingNode())
        {
            return "nothing";
        }
        final String type = node.getNodeType().name().toLowerCase(Locale.ROOT);
        return (type.startsWith("o") || type.startsWith("a") ? "an " : "a ") + type;
    }
}
