package dev.switchyard.node.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.switchyard.wire.BadInputException;

/**
 * The {@code switchyard.record} section: where a node records its gateway's traffic.
 *
 * @param dir        archive directory, null for no recording
 * @param termLength term length of the recording stream
 */
public record RecordSettings(Path dir, int termLength)
{
    public static RecordSettings from(final Config root)
    {
        try
        {
            final String dir = root.getString("switchyard.record.dir");
            final long term = root.getBytes("switchyard.record.term-length");
            if (term < 64 * 1024 || term > 1L << 30 || Long.bitCount(term) != 1)
            {
                throw new BadInputException("switchyard.record.term-length must be a power of two from 64k to 1g " +
                    "(got " + term + ")");
            }
            return new RecordSettings(dir.isEmpty() ? null : Path.of(dir), (int)term);
        }
        catch (final ConfigException ex)
        {
            throw new BadInputException("configuration: " + ex.getMessage().replace('\n', ' '));
        }
    }

    /** Starts recording into {@link #dir()}, or returns null when no recording was asked for. */
    public TrafficRecorder startRecorder(final String aeronDir, final RecordedModel shape)
    {
        if (dir == null)
        {
            return null;
        }
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("recording directory " + dir + " cannot be created: " + ex.getMessage());
        }
        return TrafficRecorder.start(aeronDir, dir, shape, termLength);
    }
}
