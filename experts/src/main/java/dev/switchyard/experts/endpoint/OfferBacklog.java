package dev.switchyard.experts.endpoint;

import dev.switchyard.dataplane.Outlet;
import dev.switchyard.dataplane.Offers;
import io.aeron.Publication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The frames one outlet could not take yet, in order, each a copy in a pooled buffer. A frame is
 * offered once; if its peer is back-pressured (or its connection is still being set up) it waits
 * here and the owner's duty cycle retries it each pass, so no thread ever waits on one peer while
 * the others have work. The backlog is bounded and knows how long its oldest frame has waited, so
 * that its owner can give a stuck peer up.
 */
public final class OfferBacklog
{
    /** The frame was held back, to be sent by {@link #drain}. */
    public static final long QUEUED = -102;
    /** The frame could neither be sent nor held: the backlog (or the pool) is full. */
    public static final long FULL = -103;

    private final UnsafeBuffer[] frames;
    private final int[] lengths;
    private int head;
    private int count;
    private long waitingSinceNs;

    public OfferBacklog(final int capacity)
    {
        this.frames = new UnsafeBuffer[capacity];
        this.lengths = new int[capacity];
    }

    /**
     * Sends {@code buffer[offset, offset + length)} on {@code outlet} now if nothing waits before
     * it, else (or when the peer has no room) holds a copy of it.
     *
     * @return the new position (&gt; 0), {@link #QUEUED}, {@link #FULL}, {@link Offers#TOO_LARGE},
     * {@link Publication#CLOSED} or {@link Publication#MAX_POSITION_EXCEEDED}
     */
    public long offer(
        final Outlet outlet, final FramePool pool, final DirectBuffer buffer, final int offset, final int length,
        final long nowNs)
    {
        final Publication publication = outlet.publication();
        if (length > publication.maxMessageLength() || length > pool.frameLength())
        {
            return Offers.TOO_LARGE;
        }
        if (count == 0)
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                outlet.bell().ring();
                return result;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                return result;
            }
            if (result == Publication.BACK_PRESSURED)
            {
                outlet.limitKeeper().ring();
            }
        }
        if (count == frames.length)
        {
            return FULL;
        }
        final UnsafeBuffer copy = pool.take();
        if (copy == null)
        {
            return FULL;
        }
        copy.putBytes(0, buffer, offset, length);
        final int tail = (head + count) % frames.length;
        frames[tail] = copy;
        lengths[tail] = length;
        if (count++ == 0)
        {
            waitingSinceNs = nowNs;
        }
        return QUEUED;
    }

    /**
     * Sends the held frames, oldest first, until the peer has no room; one try per frame.
     *
     * @return frames sent, or -1 when the publication is closed (the frames held are then dropped:
     * {@link #clear} them)
     */
    public int drain(final Outlet outlet, final FramePool pool, final long nowNs)
    {
        int sent = 0;
        while (count > 0)
        {
            final long result = outlet.publication().offer(frames[head], 0, lengths[head]);
            if (result > 0)
            {
                pool.give(frames[head]);
                frames[head] = null;
                head = (head + 1) % frames.length;
                count--;
                waitingSinceNs = nowNs;  // progress: the clock runs from the new oldest frame
                sent++;
            }
            else if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                return -1;
            }
            else
            {
                if (result == Publication.BACK_PRESSURED)
                {
                    outlet.limitKeeper().ring();
                }
                break;
            }
        }
        if (sent > 0)
        {
            outlet.bell().ring();
        }
        return sent;
    }

    /** Whether the oldest frame held has waited longer than {@code timeoutNs} without the peer taking any. */
    public boolean stuck(final long nowNs, final long timeoutNs)
    {
        return count > 0 && nowNs - waitingSinceNs > timeoutNs;
    }

    public boolean isEmpty()
    {
        return count == 0;
    }

    public int size()
    {
        return count;
    }

    /** Drops every frame held, returning the buffers to {@code pool}; returns how many were dropped. */
    public int clear(final FramePool pool)
    {
        final int dropped = count;
        while (count > 0)
        {
            pool.give(frames[head]);
            frames[head] = null;
            head = (head + 1) % frames.length;
            count--;
        }
        head = 0;
        return dropped;
    }
}
