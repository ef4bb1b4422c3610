package dev.switchyard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import dev.switchyard.testkit.TestData;

/** A tiny checkpoint folder copied with testdata/lm/text's word-level tokenizer, so text can go in and out. */
final class TextCheckpoints
{
    private TextCheckpoints()
    {
    }

    static Path text()
    {
        return TestData.checkpoints().resolveSibling("lm").resolve("text");
    }

    /** Copies checkpoint {@code name}'s files and the tokenizer files into {@code scratch}/name. */
    static Path copy(final String name, final Path scratch) throws IOException
    {
        final Path dir = Files.createDirectories(scratch.resolve(name));
        try (Stream<Path> files = Files.list(TestData.checkpoints().resolve(name)))
        {
            for (final Path f : (Iterable<Path>)files::iterator)
            {
                if (Files.isRegularFile(f))
                {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        for (final String f : new String[] {"tokenizer.json", "tokenizer_config.json"})
        {
            Files.copy(text().resolve(f), dir.resolve(f));
        }
        return dir;
    }
}
