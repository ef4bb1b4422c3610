package dev.switchyard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import dev.switchyard.wire.BadInputException;

/**
 * {@code model init} writes nothing it cannot finish: a weights file larger than the free space of its
 * disk, or than {@code --max-size}, is refused before the model folder is created.
 */
final class ModelSizeGuard
{
    private ModelSizeGuard()
    {
    }

    /**
     * @param out       the model folder, which may not exist yet
     * @param bytes     the weights file's size
     * @param limit     the user's limit in bytes ({@link Long#MAX_VALUE} for none)
     * @param limitText the limit as the user wrote it
     */
    static void check(final Path out, final long bytes, final long limit, final String limitText)
    {
        if (bytes > limit)
        {
            throw new BadInputException("model init: the weights would take " + MemoryBudget.bytesText(bytes) +
                ", more than --max-size " + limitText + "; nothing was written");
        }
        final Path existing = nearestExisting(out.toAbsolutePath());
        final long free;
        try
        {
            free = Files.getFileStore(existing).getUsableSpace();
        }
        catch (final IOException ex)
        {
            throw new BadInputException("--out " + out + ": cannot read the free space of " + existing + ": " +
                ex.getMessage());
        }
        if (bytes > free)
        {
            throw new BadInputException("model init: the weights would take " + MemoryBudget.bytesText(bytes) +
                ", more than the " + MemoryBudget.bytesText(free) + " free on the disk of " + existing +
                "; nothing was written");
        }
    }

    /** A size in bytes: a number, optionally followed by K, M, G or T (powers of 1024). */
    static long parseSize(final String text)
    {
        final String s = text.strip().toUpperCase(Locale.ROOT);
        final int unit = s.isEmpty() ? -1 : "KMGT".indexOf(s.charAt(s.length() - 1));
        final String number = unit >= 0 ? s.substring(0, s.length() - 1) : s;
        final long value;
        try
        {
            value = Long.parseLong(number.strip());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("must be bytes, or a number with a K, M, G or T suffix (got '" +
                text + "')");
        }
        if (value < 1)
        {
            throw new IllegalArgumentException("must be at least 1 (got '" + text + "')");
        }
        final int shift = unit < 0 ? 0 : 10 * (unit + 1);
        if (value > Long.MAX_VALUE >> shift)
        {
            throw new IllegalArgumentException("is beyond any disk (got '" + text + "')");
        }
        return value << shift;
    }

    private static Path nearestExisting(final Path path)
    {
        Path p = path;
        while (p != null && !Files.exists(p))
        {
            p = p.getParent();
        }
        return p == null ? path.getRoot() : p;
    }
}
