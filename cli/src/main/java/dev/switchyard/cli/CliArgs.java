package dev.switchyard.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

import dev.switchyard.wire.BadInputException;

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

    /**
     * A file the command will write: its folder must exist and it must not be a folder itself,
     * checked before any work is done, so that a typo costs nothing.
     */
    static Path writableFile(final String flag, final Path file)
    {
        if (file == null)
        {
            return null;
        }
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent))
        {
            throw new BadInputException(flag + " " + file + ": folder " + parent + " does not exist");
        }
        if (Files.isDirectory(file))
        {
            throw new BadInputException(flag + " " + file + ": is a folder, a file name is expected");
        }
        if (parent != null && !Files.isWritable(parent))
        {
            throw new BadInputException(flag + " " + file + ": folder " + parent + " is not writable");
        }
        return file;
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
