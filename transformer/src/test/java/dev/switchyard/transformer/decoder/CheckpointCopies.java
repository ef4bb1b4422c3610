package dev.switchyard.transformer.decoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.testkit.TestData;

/** A committed checkpoint copied into a scratch folder with some config.json keys replaced. */
final class CheckpointCopies
{
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CheckpointCopies()
    {
    }

    /**
     * Copies testdata/checkpoints/{@code name} (its weight files and configs, not its references) into
     * {@code into} and sets each of {@code keys} in its config.json to the JSON value given.
     */
    static Path copy(final String name, final Path into, final Map<String, String> keys) throws IOException
    {
        final Path from = TestData.checkpoints().resolve(name);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path f : (Iterable<Path>)files::iterator)
            {
                if (Files.isRegularFile(f))
                {
                    Files.copy(f, into.resolve(f.getFileName()));
                }
            }
        }
        final Path config = into.resolve("config.json");
        final ObjectNode root = (ObjectNode)JSON.readTree(Files.readAllBytes(config));
        for (final Map.Entry<String, String> e : keys.entrySet())
        {
            final JsonNode value = JSON.readTree(e.getValue());
            root.set(e.getKey(), value);
        }
        Files.write(config, JSON.writeValueAsBytes(root));
        return into;
    }
}
