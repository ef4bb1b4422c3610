package dev.switchyard.node.record;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.node.http.openai.TextTap;
import dev.switchyard.wire.BadInputException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a language model's text traffic ({@code serve --openai --record DIR}) into an Aeron Archive in
 * {@code DIR}, as a recording of its own in the same catalog as the MoE layers' ({@link RecordFormat}): the
 * request threads only put each exchange on a bounded queue (a full queue drops it, counted); one thread of its
 * own turns them into JSON records and writes them, waiting for the archive when it must. The archive runs on a
 * media driver of its own: an in-process server has no data plane.
 */
public final class TextRecorder implements TextTap, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(TextRecorder.class);
    private static final int QUEUE = 4096;
    private static final int TERM_LENGTH = 16 << 20;
    private static final long WAIT_FOR_ROOM_NS = TimeUnit.SECONDS.toNanos(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Item(long arrivalNs, String path, byte[] body, ObjectNode answer)
    {
    }

    private static final Item END = new Item(0, null, null, null);

    private final DataPlane plane;
    private final TrafficRecorder recorder;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile long droppedNoted;  // drops already counted by the recorder as lost

    private TextRecorder(final DataPlane plane, final TrafficRecorder recorder)
    {
        this.plane = plane;
        this.recorder = recorder;
        this.writer = Thread.ofPlatform().name("switchyard-text-recorder").daemon().start(this::run);
    }

    /** Starts a new recording of {@code model}'s traffic in the archive directory {@code dir}. */
    public static TextRecorder start(final Path dir, final String model)
    {
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("recording directory " + dir + " cannot be created: " + ex.getMessage());
        }
        DataPlane plane = null;
        try
        {
            plane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff", TERM_LENGTH,
                1 << 20, 1408));
            return new TextRecorder(plane, TrafficRecorder.startText(plane.aeron().context().aeronDirectoryName(),
                dir, model, TERM_LENGTH, WAIT_FOR_ROOM_NS));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(plane);
            throw ex;
        }
    }

    @Override
    public void exchange(final long arrivalNs, final String path, final byte[] body, final ObjectNode answer)
    {
        if (!queue.offer(new Item(arrivalNs, path, body, answer)))
        {
            dropped.incrementAndGet();
        }
    }

    public long recordingId()
    {
        return recorder.recordingId();
    }

    /** Exchanges lost: dropped from a full queue, or not written (the archive fell behind). */
    public long lost()
    {
        return dropped.get() + recorder.lostRecords() - droppedNoted;
    }

    /** Exchanges written so far. */
    public long written()
    {
        return written.get();
    }

    private void run()
    {
        try
        {
            for (Item item = queue.take(); item != END; item = queue.take())
            {
                write(item);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void write(final Item item)
    {
        // Drops since the last record become a gap in the sequence numbers, which a reader counts as lost.
        final long drops = dropped.get();
        if (drops > droppedNoted)
        {
            recorder.lose(drops - droppedNoted);
            droppedNoted = drops;
        }
        final ObjectNode record = JSON.createObjectNode();
        record.put("path", item.path());
        record.put("body", new String(item.body(), StandardCharsets.UTF_8));
        record.set("answer", item.answer());
        final byte[] bytes = record.toString().getBytes(StandardCharsets.UTF_8);
        if (recorder.record(RecordFormat.EXCHANGE, item.arrivalNs(), new UnsafeBuffer(bytes), 0, bytes.length))
        {
            written.incrementAndGet();
        }
    }

    /** Writes what is queued, then stops the recording, the archive and its media driver. */
    @Override
    public void close()
    {
        try
        {
            queue.put(END);
            writer.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (dropped.get() > 0)
        {
            LOG.warn("text recording {}: {} exchanges dropped (the recorder's queue was full)", recordingId(),
                dropped.get());
        }
        CloseHelper.quietCloseAll(recorder, plane);
    }
}
