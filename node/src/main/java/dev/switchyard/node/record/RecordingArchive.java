package dev.switchyard.node.record;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.aeron.ExclusivePublication;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.status.RecordingPos;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Aeron Archive started in {@code DIR} on a running media driver, recording one new IPC publication: the
 * archive's side of a {@link TrafficRecorder}, which frames records into {@link #publication()}. Each start adds a
 * recording to the same archive; {@link #close()} waits until the archive has written everything offered.
 */
final class RecordingArchive implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RecordingArchive.class);
    private static final int CONTROL_STREAM_ID = 4110;
    // The archive allocates segment files whole: smaller ones waste less disk on short recordings.
    private static final int MIN_SEGMENT_LENGTH = 64 << 20;
    static final long CLOSE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final Archive archive;
    private final AeronArchive client;
    private final ExclusivePublication publication;
    private final CountersReader counters;
    private final int recordingCounter;
    private final long recordingId;

    private RecordingArchive(final Archive archive, final AeronArchive client, final ExclusivePublication publication)
    {
        this.archive = archive;
        this.client = client;
        this.publication = publication;
        this.counters = client.context().aeron().countersReader();
        int counter;
        final long start = System.nanoTime();
        while ((counter = RecordingPos.findCounterIdBySession(counters, publication.sessionId(), client.archiveId())) ==
            CountersReader.NULL_COUNTER_ID)
        {
            if (System.nanoTime() - start > CLOSE_TIMEOUT_NS)
            {
                throw new IllegalStateException("the archive did not start recording");
            }
            Thread.onSpinWait();
        }
        this.recordingCounter = counter;
        this.recordingId = RecordingPos.getRecordingId(counters, counter);
    }

    /** Starts the archive and a recorded publication of {@code termLength}. */
    static RecordingArchive launch(final String aeronDir, final Path dir, final int termLength)
    {
        Archive archive = null;
        AeronArchive client = null;
        try
        {
            archive = Archive.launch(new Archive.Context()
                .aeronDirectoryName(aeronDir)
                .archiveDir(dir.toFile())
                .controlChannelEnabled(false)
                .localControlStreamId(CONTROL_STREAM_ID)
                .replicationChannel("aeron:udp?endpoint=localhost:0")
                .recordingEventsEnabled(false)
                .archiveClientContext(new AeronArchive.Context().controlResponseChannel("aeron:ipc"))
                .threadingMode(ArchiveThreadingMode.SHARED)
                .idleStrategySupplier(() -> new SleepingMillisIdleStrategy(1))
                // Checksums are computed by the archive's thread, not the gateway's, and let a
                // reader tell a damaged recording from a complete one.
                .recordChecksum(new Crc32c())
                .segmentFileLength(Math.max(termLength, MIN_SEGMENT_LENGTH))
                .deleteArchiveOnStart(false));
            client = AeronArchive.connect(new AeronArchive.Context()
                .aeronDirectoryName(aeronDir)
                .controlRequestChannel("aeron:ipc")
                .controlRequestStreamId(CONTROL_STREAM_ID)
                .controlResponseChannel("aeron:ipc"));
            final ExclusivePublication publication = client.addRecordedExclusivePublication(
                "aeron:ipc?term-length=" + termLength, RecordFormat.STREAM_ID);
            return new RecordingArchive(archive, client, publication);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(client, archive);
            throw ex;
        }
    }

    ExclusivePublication publication()
    {
        return publication;
    }

    long recordingId()
    {
        return recordingId;
    }

    /**
     * Waits until the archive has written everything offered so far.
     *
     * @return whether it did within {@code timeoutNs}
     */
    boolean awaitArchived(final long timeoutNs)
    {
        final long target = publication.position();
        final long start = System.nanoTime();
        while (counters.getCounterValue(recordingCounter) < target)
        {
            if (!RecordingPos.isActive(counters, recordingCounter, recordingId) ||
                System.nanoTime() - start > timeoutNs)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** Waits until the archive has everything offered, then stops the recording and the archive. */
    @Override
    public void close()
    {
        if (!awaitArchived(CLOSE_TIMEOUT_NS))
        {
            LOG.warn("recording {}: the archive did not write everything before closing", recordingId);
        }
        try
        {
            client.stopRecording(publication);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("recording {} not stopped cleanly: {}", recordingId, ex.toString());
        }
        CloseHelper.quietCloseAll(publication, client, archive);
    }
}
