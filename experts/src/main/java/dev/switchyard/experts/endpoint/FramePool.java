package dev.switchyard.experts.endpoint;

import java.util.ArrayDeque;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Direct buffers of one frame length, made on first need up to a bound and reused from then on,
 * so that holding a frame back (its peer back-pressured) allocates nothing once the pool has grown.
 * Used by one thread.
 */
public final class FramePool
{
    private final int frameLength;
    private final int maxFrames;
    private final ArrayDeque<UnsafeBuffer> free;
    private int made;

    /**
     * @param frameLength bytes of the largest frame held
     * @param maxFrames   frames held at once, over every peer; bounds the memory a stalled peer costs
     */
    public FramePool(final int frameLength, final int maxFrames)
    {
        this.frameLength = frameLength;
        this.maxFrames = maxFrames;
        this.free = new ArrayDeque<>(maxFrames);
    }

    /** A buffer of {@link #frameLength()} bytes, or null when {@code maxFrames} are held already. */
    UnsafeBuffer take()
    {
        final UnsafeBuffer buffer = free.pollFirst();
        if (buffer != null)
        {
            return buffer;
        }
        if (made == maxFrames)
        {
            return null;
        }
        made++;
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(frameLength, 64));
    }

    void give(final UnsafeBuffer buffer)
    {
        free.addFirst(buffer);
    }

    public int frameLength()
    {
        return frameLength;
    }

    /** Buffers lent out now. */
    public int held()
    {
        return made - free.size();
    }
}
