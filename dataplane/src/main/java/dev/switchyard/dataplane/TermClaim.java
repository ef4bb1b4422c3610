package dev.switchyard.dataplane;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import org.agrona.MutableDirectBuffer;

/**
 * Room for one frame claimed in a publication's term buffer, so that the frame is written where the
 * subscriber reads it instead of into a buffer of its own that an offer then copies. Only a frame
 * that fits one fragment can be claimed ({@link #fits}); a larger one is offered as before. Never
 * waits. Used by one thread; one claim at a time.
 */
public final class TermClaim
{
    /** Term buffers seen lately, as memory (each term of a log is a mapped buffer of its own). */
    private static final int MAPPED = 8;

    private final BufferClaim claim = new BufferClaim();
    private final ByteBuffer[] mapped = new ByteBuffer[MAPPED];
    private final MemorySegment[] mappedMemory = new MemorySegment[MAPPED];
    private int nextMapped;
    private long memoryOffset;
    private Outlet claimed;

    /** Whether a frame of {@code length} bytes can be claimed on {@code outlet}: it is one fragment. */
    public static boolean fits(final Outlet outlet, final int length)
    {
        return length <= outlet.publication().maxPayloadLength();
    }

    /**
     * Claims {@code length} bytes ({@link #fits} must hold). On success write the frame at
     * {@link #buffer()} from {@link #offset()}, then {@link #commit()} it, or {@link #abort()} if
     * writing failed; the claim blocks the stream until either.
     *
     * @return the new position (&gt; 0), or the publication's code when nothing was claimed (the
     * media driver's thread is rung when back-pressured, as an offer would)
     */
    public long claim(final Outlet outlet, final int length)
    {
        final long result = outlet.publication().tryClaim(length, claim);
        if (result > 0)
        {
            claimed = outlet;
        }
        else if (result == Publication.BACK_PRESSURED)
        {
            outlet.limitKeeper().ring();
        }
        return result;
    }

    public MutableDirectBuffer buffer()
    {
        return claim.buffer();
    }

    public int offset()
    {
        return claim.offset();
    }

    /**
     * The claimed room as memory, from byte {@link #memoryOffset()} (the frame's first byte, as
     * {@link #offset()} is in {@link #buffer()}), so that a kernel can write a frame's rows in place; null
     * where the term buffer is not a mapped buffer. Allocates only for a log it has not seen lately.
     */
    public MemorySegment memory()
    {
        final MutableDirectBuffer buffer = claim.buffer();
        final ByteBuffer log = buffer.byteBuffer();
        if (log == null || !log.isDirect())
        {
            return null;
        }
        final MemorySegment memory = memoryOf(log);
        memoryOffset = buffer.addressOffset() + claim.offset() - memory.address();
        return memory;
    }

    /** Where the claimed frame starts in {@link #memory()}. */
    public long memoryOffset()
    {
        return memoryOffset;
    }

    private MemorySegment memoryOf(final ByteBuffer log)
    {
        for (int i = 0; i < MAPPED; i++)
        {
            if (mapped[i] == log)
            {
                return mappedMemory[i];
            }
        }
        final int slot = nextMapped;
        nextMapped = (nextMapped + 1) % MAPPED;
        mapped[slot] = log;
        mappedMemory[slot] = MemorySegment.ofBuffer(log);
        return mappedMemory[slot];
    }

    /** Publishes the frame written and rings its poller. */
    public void commit()
    {
        final Outlet outlet = claimed;
        claimed = null;
        claim.commit();
        outlet.bell().ring();
    }

    /** Gives the room back as padding, for a frame that could not be written. */
    public void abort()
    {
        claimed = null;
        claim.abort();
    }
}
