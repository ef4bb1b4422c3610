package dev.switchyard.tools.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.switchyard.wire.BadInputException;
import io.aeron.Aeron;
import io.aeron.archive.CatalogView;

/** The recordings of an archive directory, read from its catalog without starting an archive. */
public final class RecordingCatalog
{
    private static final String CATALOG_FILE = "archive.catalog";

    private RecordingCatalog()
    {
    }

    public static List<RecordingInfo> list(final Path dir)
    {
        if (!Files.isRegularFile(dir.resolve(CATALOG_FILE)))
        {
            throw new BadInputException(dir + " holds no recordings (no " + CATALOG_FILE +
                "; record with 'switchyard serve --record " + dir + "')");
        }
        final List<RecordingInfo> all = new ArrayList<>();
        final boolean active = ArchiveActivity.running(dir);
        try
        {
            CatalogView.listRecordings(dir.toFile(),
                (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition,
                    stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId,
                    streamId, strippedChannel, originalChannel, sourceIdentity) ->
                    all.add(new RecordingInfo(recordingId, startTimestamp,
                        stopTimestamp == Aeron.NULL_VALUE ? -1 : stopTimestamp, startPosition,
                        stopPosition == Aeron.NULL_VALUE ? -1 : stopPosition, initialTermId, segmentFileLength,
                        termBufferLength, streamId, strippedChannel, false)));
        }
        catch (final RuntimeException ex)
        {
            throw new BadInputException(dir.resolve(CATALOG_FILE) + " cannot be read: " + ex.getMessage());
        }
        if (active)
        {
            // A running archive records into its newest open recording; older open ones were broken off.
            for (int i = all.size() - 1; i >= 0; i--)
            {
                final RecordingInfo r = all.get(i);
                if (!r.stoppedCleanly())
                {
                    all.set(i, new RecordingInfo(r.id(), r.startMs(), r.stopMs(), r.startPosition(), r.stopPosition(),
                        r.initialTermId(), r.segmentLength(), r.termLength(), r.streamId(), r.channel(), true));
                    break;
                }
            }
        }
        return all;
    }

    public static RecordingInfo find(final Path dir, final long id)
    {
        for (final RecordingInfo r : list(dir))
        {
            if (r.id() == id)
            {
                return r;
            }
        }
        throw new BadInputException(dir + " has no recording " + id + " (see 'switchyard recordings " + dir + "')");
    }

    /** The segment file holding byte {@code base} of a recording. */
    static Path segmentFile(final Path dir, final long recordingId, final long base)
    {
        return dir.resolve(recordingId + "-" + base + ".rec");
    }

    /** Bytes the recording's segment files take on disk. */
    public static long sizeOnDisk(final Path dir, final long recordingId)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            long total = 0;
            for (final Path f : files.filter(f -> f.getFileName().toString().startsWith(recordingId + "-") &&
                f.getFileName().toString().endsWith(".rec")).toList())
            {
                total += Files.size(f);
            }
            return total;
        }
        catch (final IOException ex)
        {
            throw new BadInputException(dir + " cannot be listed: " + ex.getMessage());
        }
    }
}
