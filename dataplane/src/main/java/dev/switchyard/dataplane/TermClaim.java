package dev.switchyard.dataplane;

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
    private final BufferClaim claim = new BufferClaim();
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
