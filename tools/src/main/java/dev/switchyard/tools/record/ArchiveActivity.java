package dev.switchyard.tools.record;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.codecs.mark.MarkFileHeaderDecoder;
import io.aeron.archive.codecs.mark.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Whether an archive directory's archive is running now, read from its mark file: a running
 * archive stamps the file with the time about once a second, a closed one marks it terminated, and
 * one that was killed leaves its last stamp to age.
 */
final class ArchiveActivity
{
    /** A stamp younger than this is a running archive's (it stamps about once a second). */
    static final long FRESH_MS = 5_000;

    private ArchiveActivity()
    {
    }

    static boolean running(final Path dir)
    {
        final long stamp = activityStamp(dir);
        return stamp > 0 && Math.abs(System.currentTimeMillis() - stamp) < FRESH_MS;
    }

    /** The mark file's activity stamp, epoch ms; -1 when closed cleanly, 0 when there is no readable mark file. */
    static long activityStamp(final Path dir)
    {
        final Path file = dir.resolve(ArchiveMarkFile.FILENAME);
        if (!Files.isRegularFile(file))
        {
            return 0;
        }
        final int length = MessageHeaderDecoder.ENCODED_LENGTH + MarkFileHeaderDecoder.BLOCK_LENGTH;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            if (channel.size() < length)
            {
                return 0;
            }
            final var bytes = java.nio.ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0)
            {
                // Reads the header whole.
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes.array());
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
            if (header.templateId() != MarkFileHeaderDecoder.TEMPLATE_ID ||
                header.schemaId() != MarkFileHeaderDecoder.SCHEMA_ID)
            {
                return 0;
            }
            return new MarkFileHeaderDecoder().wrap(buffer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(),
                header.version()).activityTimestamp();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }
}
