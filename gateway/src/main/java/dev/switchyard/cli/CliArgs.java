package dev.switchyard.cli;

import dev.switchyard.router.BadInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/** Flag values checked the same way everywhere: one line naming the flag. */
final class CliArgs
{
    private CliArgs()
    {
    }

    static <T> T parse(final String flag, final String value, final Function<String, T> parser)
    {
        try
        {
            return parser.apply(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadInputException(flag + " " + ex.getMessage());
        }
    }

    static Path existingFile(final String flag, final Path file)
    {
        if (!Files.isRegularFile(file))
        {
            throw new BadInputException(flag + " " + file + ": no such file");
        }
        return file;
    }

    static Path existingDirectory(final String flag, final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            throw new BadInputException(flag + " " + dir + ": no such directory");
        }
        return dir;
    }

    static int positive(final String flag, final int value)
    {
        if (value < 1)
        {
            throw new BadInputException(flag + " must be at least 1 (got " + value + ")");
        }
        return value;
    }
}
