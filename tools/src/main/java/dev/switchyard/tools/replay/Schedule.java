package dev.switchyard.tools.replay;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

import dev.switchyard.tools.record.RecordedRequest;

/**
 * A recording's requests on their recorded schedule: arrival times divided by {@code speed},
 * played {@code loops} times back to back, and cut at {@code durationNs} when that is positive.
 * Each loop reads the requests afresh from their source, so a streamed recording is never held whole.
 */
public final class Schedule implements Iterable<ScheduledRequest>
{
    private final Supplier<? extends Iterator<RecordedRequest>> source;
    private final long count;
    private final double speed;
    private final int loops;
    private final long durationNs;
    private final long loopNs;

    public Schedule(final List<RecordedRequest> requests, final double speed, final int loops, final long durationNs)
    {
        this(requests::iterator, requests.size(), requests.isEmpty() ? 0 : requests.getLast().arrivalNs(), speed,
            loops, durationNs);
    }

    /**
     * @param source        opens the requests in arrival order, once per loop (closed when it is
     *                      {@link AutoCloseable} and its loop is over)
     * @param count         how many requests a loop holds
     * @param lastArrivalNs arrival of the last of them
     */
    public Schedule(
        final Supplier<? extends Iterator<RecordedRequest>> source, final long count, final long lastArrivalNs,
        final double speed, final int loops, final long durationNs)
    {
        this.source = source;
        this.count = count;
        this.speed = speed;
        this.loops = loops;
        this.durationNs = durationNs;
        // A loop lasts from the first arrival to one mean gap after the last, so loops do not overlap.
        final long gap = count > 1 ? lastArrivalNs / (count - 1) : 1_000_000L;
        this.loopNs = lastArrivalNs + Math.max(1, gap);
    }

    @Override
    public Iterator<ScheduledRequest> iterator()
    {
        return new Cursor();
    }

    /** Walks the loops; closing it early closes the loop being read. */
    private final class Cursor implements Iterator<ScheduledRequest>, AutoCloseable
    {
        private int loop;
        private Iterator<RecordedRequest> requests;
        private long index;
        private ScheduledRequest next;

        Cursor()
        {
            next = advance();
        }

        private ScheduledRequest advance()
        {
            if (count == 0)
            {
                return null;
            }
            while (requests == null || !requests.hasNext())
            {
                if (requests != null)
                {
                    closeLoop();
                    loop++;
                }
                if (loop >= loops)
                {
                    return null;
                }
                requests = source.get();
            }
            final RecordedRequest r = requests.next();
            final long offset = (long)((loop * (double)loopNs + r.arrivalNs()) / speed);
            if (durationNs > 0 && offset >= durationNs)
            {
                closeLoop();
                loop = loops;
                return null;
            }
            return new ScheduledRequest(index++, offset, r.layer(), r.keepApart(), r.wantRouting(),
                r.deadlineMicros(), r.rows(), r.tokens(), r.importance(), r);
        }

        private void closeLoop()
        {
            if (requests instanceof AutoCloseable closeable)
            {
                try
                {
                    closeable.close();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException("closing the recording: " + ex.getMessage(), ex);
                }
            }
            requests = null;
        }

        @Override
        public boolean hasNext()
        {
            return next != null;
        }

        @Override
        public ScheduledRequest next()
        {
            if (next == null)
            {
                throw new NoSuchElementException();
            }
            final ScheduledRequest out = next;
            next = advance();
            return out;
        }

        @Override
        public void close()
        {
            closeLoop();
            loop = loops;
            next = null;
        }
    }
}
