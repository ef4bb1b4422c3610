package dev.switchyard.tools.record;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A recording's requests in arrival order, read ahead on a thread of its own at most a window at
 * a time: however long the recording, at most {@code window} joined requests wait here and at most
 * {@code window} more are held open by the reader (waiting for their answers), so memory stays
 * bounded. {@link #end()} says how the read ended once the last request has been taken.
 */
public final class RequestStream implements Iterator<RecordedRequest>, AutoCloseable
{
    /** Stops the reading thread when the stream is closed early. */
    private static final class Closed extends RuntimeException
    {
        Closed()
        {
            super(null, null, false, false);
        }
    }

    private record Item(RecordedRequest request, RecordingReader.End end, RuntimeException failure)
    {
    }

    private final BlockingQueue<Item> queue;
    private final Thread thread;
    private volatile boolean closed;
    private volatile int largestOpen;
    private Item next;
    private RecordingReader.End end;

    private RequestStream(final Path dir, final RecordingInfo info, final boolean keepTensors, final int window)
    {
        this.queue = new ArrayBlockingQueue<>(window);
        this.thread = new Thread(() -> read(dir, info, keepTensors, window), "recording-" + info.id() + "-reader");
        this.thread.setDaemon(true);
    }

    /**
     * @param keepTensors false to read everything but tokens and outputs (for counting)
     * @param window      requests read ahead, at least 1
     */
    public static RequestStream open(
        final Path dir, final RecordingInfo info, final boolean keepTensors, final int window)
    {
        if (window < 1)
        {
            throw new IllegalArgumentException("window must be at least 1 (got " + window + ")");
        }
        final RequestStream stream = new RequestStream(dir, info, keepTensors, window);
        stream.thread.start();
        return stream;
    }

    private void read(final Path dir, final RecordingInfo info, final boolean keepTensors, final int window)
    {
        final RecordingReader reader = new RecordingReader(keepTensors, window, r -> put(new Item(r, null, null)));
        Item last;
        try
        {
            last = new Item(null, reader.scan(dir, info), null);
        }
        catch (final Closed ex)
        {
            return;
        }
        catch (final RuntimeException ex)
        {
            last = new Item(null, null, ex);
        }
        largestOpen = reader.largestOpen();
        try
        {
            put(last);
        }
        catch (final Closed ex)
        {
            // Nobody reads any more.
        }
    }

    private void put(final Item item)
    {
        try
        {
            while (!closed)
            {
                if (queue.offer(item, 100, java.util.concurrent.TimeUnit.MILLISECONDS))
                {
                    return;
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        throw new Closed();
    }

    @Override
    public boolean hasNext()
    {
        if (next == null && end == null)
        {
            try
            {
                next = queue.take();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the recording", ex);
            }
            if (next.failure() != null)
            {
                throw next.failure();
            }
            if (next.request() == null)
            {
                end = next.end();
                next = null;
            }
        }
        return next != null;
    }

    @Override
    public RecordedRequest next()
    {
        if (!hasNext())
        {
            throw new NoSuchElementException();
        }
        final RecordedRequest out = next.request();
        next = null;
        return out;
    }

    /** How the read ended; only once {@link #hasNext()} has answered false. */
    public RecordingReader.End end()
    {
        if (end == null)
        {
            throw new IllegalStateException("the recording has not been read to its end");
        }
        return end;
    }

    /** The most requests the reader held open at once (known at the end). */
    public int largestOpen()
    {
        return largestOpen;
    }

    /** Stops reading ahead (the thread ends within moments). */
    @Override
    public void close()
    {
        closed = true;
    }
}
