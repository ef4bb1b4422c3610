package dev.switchyard.node.record;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.gateway.dispatch.TrafficTap;
import io.aeron.DirectBufferVector;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a gateway's traffic with an Aeron Archive started on the node's media driver: every
 * request and answer frame the gateway sees is offered, with its time, to an IPC publication that
 * the archive records into {@code DIR} on its own thread. The data-plane thread only copies the frame
 * into the publication's log buffer; it never waits: a record that finds no room is counted as lost
 * (the reader sees the gap in the sequence numbers). Each start of a node adds a new recording to
 * the same archive; {@link #close()} waits until the archive has written everything offered.
 */
public final class TrafficRecorder implements TrafficTap, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(TrafficRecorder.class);
    private final RecordingArchive archive;
    private final Path dir;
    private final ExclusivePublication publication;
    private final int chunkLength;
    private final UnsafeBuffer header =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(RecordFormat.HEADER_LENGTH, 64));
    private final UnsafeBuffer model =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(RecordFormat.MODEL_LENGTH, 64));
    private final DirectBufferVector headerVector = new DirectBufferVector();
    private final DirectBufferVector bodyVector = new DirectBufferVector();
    private final DirectBufferVector[] vectors = {headerVector, bodyVector};
    private final AtomicLong lost = new AtomicLong();
    private final long waitForRoomNs;
    private long sequence;

    private TrafficRecorder(final RecordingArchive archive, final Path dir, final long waitForRoomNs)
    {
        this.waitForRoomNs = waitForRoomNs;
        this.archive = archive;
        this.dir = dir;
        this.publication = archive.publication();
        this.chunkLength = publication.maxMessageLength() - RecordFormat.HEADER_LENGTH;
    }

    /**
     * Starts an archive in {@code dir} on the media driver at {@code aeronDir} and a new recording.
     *
     * @param termLength term length of the recording publication: the traffic that may wait for the
     *                   archive's disk writes is half of it
     */
    public static TrafficRecorder start(
        final String aeronDir, final Path dir, final RecordedModel shape, final int termLength)
    {
        return start(aeronDir, dir, shape, termLength, 0);
    }

    /**
     * As {@link #start(String, Path, RecordedModel, int)}, for a recorder whose callers may wait:
     * a record that finds no room waits up to {@code waitForRoomNs} for the archive to write what is
     * ahead of it, so that a record of any size (larger than the term's window even) is kept whole.
     * A gateway's data-plane thread must never wait: it records with 0.
     */
    public static TrafficRecorder start(
        final String aeronDir, final Path dir, final RecordedModel shape, final int termLength,
        final long waitForRoomNs)
    {
        final TrafficRecorder recorder = new TrafficRecorder(RecordingArchive.launch(aeronDir, dir, termLength), dir,
            waitForRoomNs);
        try
        {
            recorder.writeModel(shape);
            return recorder;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(recorder.archive);
            throw ex;
        }
    }

    /**
     * A recording of a language model's text traffic ({@link RecordFormat#LM_MODEL} first, then
     * {@link RecordFormat#EXCHANGE} records through {@link #record}); its one writer may wait for room.
     */
    public static TrafficRecorder startText(
        final String aeronDir, final Path dir, final String modelName, final int termLength, final long waitForRoomNs)
    {
        final TrafficRecorder recorder = new TrafficRecorder(RecordingArchive.launch(aeronDir, dir, termLength), dir,
            waitForRoomNs);
        try
        {
            final byte[] name = modelName.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            final UnsafeBuffer first = new UnsafeBuffer(new byte[2 * Long.BYTES + name.length]);
            final long nanoTime = System.nanoTime();
            first.putLong(0, epochNs(), ByteOrder.LITTLE_ENDIAN);
            first.putLong(Long.BYTES, nanoTime, ByteOrder.LITTLE_ENDIAN);
            first.putBytes(2 * Long.BYTES, name);
            recorder.writeFirst(RecordFormat.LM_MODEL, nanoTime, first, first.capacity());
            return recorder;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(recorder.archive);
            throw ex;
        }
    }

    private static long epochNs()
    {
        final java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    public long recordingId()
    {
        return archive.recordingId();
    }

    /** The archive directory. */
    public Path directory()
    {
        return dir;
    }

    /** Records that found no room in the publication (the archive fell behind). */
    public long lostRecords()
    {
        return lost.get();
    }

    private void writeModel(final RecordedModel shape)
    {
        model.putInt(0, shape.dModel(), ByteOrder.LITTLE_ENDIAN);
        model.putInt(4, shape.experts(), ByteOrder.LITTLE_ENDIAN);
        model.putInt(8, shape.groupSize(), ByteOrder.LITTLE_ENDIAN);
        model.putInt(12, shape.layers(), ByteOrder.LITTLE_ENDIAN);
        model.putInt(16, shape.maxRequestRows(), ByteOrder.LITTLE_ENDIAN);
        final long nanoTime = System.nanoTime();
        model.putLong(20, epochNs(), ByteOrder.LITTLE_ENDIAN);
        model.putLong(28, nanoTime, ByteOrder.LITTLE_ENDIAN);
        writeFirst(RecordFormat.MODEL, nanoTime, model, RecordFormat.MODEL_LENGTH);
    }

    /** The record that opens the recording: waits until the archive's subscription takes it. */
    private void writeFirst(final short kind, final long timeNs, final DirectBuffer record, final int length)
    {
        final long start = System.nanoTime();
        while (!write(kind, timeNs, record, 0, length, false))
        {
            if (System.nanoTime() - start > RecordingArchive.CLOSE_TIMEOUT_NS)
            {
                throw new IllegalStateException("the recording publication did not connect");
            }
            Thread.onSpinWait();
        }
    }

    /** Offers one record of any kind; false (and counted as lost) when it found no room. One writer at a time. */
    public boolean record(final short kind, final long timeNs, final DirectBuffer record, final int offset,
        final int length)
    {
        return write(kind, timeNs, record, offset, length, true);
    }

    /** Counts {@code n} records lost before they reached this recorder: the reader sees them as a gap. */
    public void lose(final long n)
    {
        sequence += n;
        lost.addAndGet(n);
    }

    @Override
    public void request(final long arrivalNs, final DirectBuffer frame, final int offset, final int length)
    {
        write(RecordFormat.REQUEST, arrivalNs, frame, offset, length, true);
    }

    @Override
    public void answer(final long sentNs, final DirectBuffer frame, final int offset, final int length)
    {
        write(RecordFormat.ANSWER, sentNs, frame, offset, length, true);
    }

    /** Offers one record in chunks; false (and counted as lost when {@code count}) when one found no room. */
    private boolean write(
        final short kind, final long timeNs, final DirectBuffer frame, final int offset, final int length,
        final boolean count)
    {
        header.putInt(0, RecordFormat.MAGIC, ByteOrder.LITTLE_ENDIAN);
        header.putShort(4, RecordFormat.VERSION, ByteOrder.LITTLE_ENDIAN);
        header.putShort(RecordFormat.KIND_OFFSET, kind, ByteOrder.LITTLE_ENDIAN);
        header.putLong(RecordFormat.SEQUENCE_OFFSET, sequence, ByteOrder.LITTLE_ENDIAN);
        header.putLong(RecordFormat.TIME_OFFSET, timeNs, ByteOrder.LITTLE_ENDIAN);
        header.putInt(RecordFormat.LENGTH_OFFSET, length, ByteOrder.LITTLE_ENDIAN);
        headerVector.reset(header, 0, RecordFormat.HEADER_LENGTH);
        int at = 0;
        do
        {
            final int n = Math.min(chunkLength, length - at);
            header.putInt(RecordFormat.CHUNK_OFFSET, at, ByteOrder.LITTLE_ENDIAN);
            bodyVector.reset(frame, offset + at, n);
            final long result = offer();
            if (result < 0)
            {
                if (count)
                {
                    sequence++;
                    lost.incrementAndGet();
                }
                return false;
            }
            at += n;
        }
        while (at < length);
        sequence++;
        return true;
    }

    /** Offers the header and chunk set up in the vectors; waits for room when this recorder may. */
    private long offer()
    {
        final long start = waitForRoomNs > 0 ? System.nanoTime() : 0;
        while (true)
        {
            final long result = publication.offer(vectors);
            // ADMIN_ACTION (the log rotated to its next term) asks for a retry at once.
            if (result == Publication.ADMIN_ACTION ||
                result == Publication.BACK_PRESSURED && waitForRoomNs > 0 && System.nanoTime() - start < waitForRoomNs)
            {
                if (result == Publication.BACK_PRESSURED)
                {
                    Thread.yield();
                }
                continue;
            }
            return result;
        }
    }

    /**
     * Waits until the archive has written everything offered so far.
     *
     * @return whether it did within {@code timeoutNs}
     */
    public boolean awaitArchived(final long timeoutNs)
    {
        return archive.awaitArchived(timeoutNs);
    }

    /** Waits until the archive has everything offered, then stops the recording and the archive. */
    @Override
    public void close()
    {
        if (lost.get() > 0)
        {
            LOG.warn("recording {}: {} records lost (the archive fell behind)", archive.recordingId(), lost.get());
        }
        archive.close();
    }
}
