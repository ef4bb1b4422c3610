package dev.switchyard.transformer.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** testdata/tokenizers: the tokenizers written by make_tokenizers.py and reference.json. */
final class TokenizerFixtures
{
    private TokenizerFixtures()
    {
    }

    static Path root()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null)
        {
            final Path candidate = dir.resolve("testdata").resolve("tokenizers");
            if (Files.isDirectory(candidate))
            {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no testdata/tokenizers above " + Path.of("").toAbsolutePath());
    }

    static JsonNode reference() throws IOException
    {
        return JsonMapper.builder().build().readTree(root().resolve("reference.json").toFile());
    }
}
