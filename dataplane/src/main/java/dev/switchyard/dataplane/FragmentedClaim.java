package dev.switchyard.dataplane;

import java.nio.ByteOrder;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * A frame of several fragments written where the subscriber reads it: each fragment is claimed in the
 * term buffer, written, and committed with the flags Aeron's own fragmentation gives it (the first
 * begins the frame, the last ends it), so that a receiver puts the frame together as it would an
 * offered one, without the copy of the whole frame that an offer makes. Only on an exclusive
 * publication (no other writer can put a fragment between two of the frame's), and only when the
 * whole frame fits the rest of the current term and the publication's window now ({@link #fits}): a
 * frame must not cross a term (receivers drop one that does), and no fragment may meet back-pressure
 * halfway. Anything else is offered as before. Never waits. Used by one thread; one frame at a time.
 */
public final class FragmentedClaim
{
    private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);
    private static final long INT_BASE = UnsafeApi.arrayBaseOffset(int[].class);
    private static final long DOUBLE_BASE = UnsafeApi.arrayBaseOffset(double[].class);

    private final BufferClaim claim = new BufferClaim();
    private Outlet outlet;
    private ExclusivePublication publication;
    /** Whether {@link #claim} holds a fragment not yet committed, and which of the frame's it is. */
    private boolean claimed;
    private int fragment;
    /** Bytes of the frame still to claim after the current fragment's, room left in it, and where that starts. */
    private int unclaimed;
    private int room;
    private int at;

    /**
     * Whether a frame of {@code length} bytes can be claimed fragment by fragment on {@code outlet} now:
     * more than one fragment, an exclusive publication, little-endian floats, and room for every fragment
     * in the current term and the window.
     */
    public static boolean fits(final Outlet outlet, final int length)
    {
        if (!NATIVE_LE || !(outlet.publication() instanceof ExclusivePublication publication) ||
            length <= publication.maxPayloadLength() || length > publication.maxMessageLength())
        {
            return false;
        }
        final long framed = framedLength(length, publication.maxPayloadLength());
        final int termLength = publication.termBufferLength();
        final long termLeft = termLength - (publication.position() & (termLength - 1));
        return framed <= termLeft && framed <= publication.availableWindow();
    }

    /** The term bytes of a frame of {@code length} in fragments of at most {@code maxPayload}, headers included. */
    static long framedLength(final int length, final int maxPayload)
    {
        final int full = length / maxPayload;
        final int last = length - full * maxPayload;
        final long fullFrame =
            BitUtil.align(DataHeaderFlyweight.HEADER_LENGTH + maxPayload, FrameDescriptor.FRAME_ALIGNMENT);
        return full * fullFrame +
            (last == 0 ? 0 : BitUtil.align(DataHeaderFlyweight.HEADER_LENGTH + last, FrameDescriptor.FRAME_ALIGNMENT));
    }

    /**
     * Claims the frame's first fragment ({@link #fits} must hold). On success write the frame's head at
     * {@link #buffer()} from {@link #offset()} (it must fit the first fragment), {@link #skip} past it,
     * put the rest with {@link #putFloats}, then {@link #commit()}; or {@link #abort()}.
     *
     * @return the new position (&gt; 0), or the publication's code when nothing was claimed
     */
    public long claim(final Outlet outlet, final int length)
    {
        this.outlet = outlet;
        this.publication = (ExclusivePublication)outlet.publication();
        this.unclaimed = length;
        this.claimed = false;
        this.fragment = 0;
        return next();
    }

    public MutableDirectBuffer buffer()
    {
        return claim.buffer();
    }

    /** Where the frame's first byte is in {@link #buffer()}. */
    public int offset()
    {
        return claim.offset();
    }

    /** Moves past {@code bytes} written at the frame's start, in its first fragment. */
    public void skip(final int bytes)
    {
        if (bytes > room)
        {
            throw new IllegalArgumentException(bytes + " bytes of head in a first fragment of " + room);
        }
        at += bytes;
        room -= bytes;
    }

    /**
     * Puts {@code count} floats of {@code src} from {@code srcOffset}, little-endian, where the frame goes
     * on, into the next fragments as each fills.
     *
     * @return the position of the last fragment claimed (&gt; 0), or the code of a claim that failed: the
     * frame is then broken (its receiver drops it) and must be {@link #abort()}ed and sent again whole
     */
    public long putFloats(final float[] src, final int srcOffset, final int count)
    {
        return put(src, FLOAT_BASE + (long)srcOffset * Float.BYTES, (long)count * Float.BYTES);
    }

    /** As {@link #putFloats}, for int32 values. */
    public long putInts(final int[] src, final int srcOffset, final int count)
    {
        return put(src, INT_BASE + (long)srcOffset * Integer.BYTES, (long)count * Integer.BYTES);
    }

    /** As {@link #putFloats}, for float64 values. */
    public long putDoubles(final double[] src, final int srcOffset, final int count)
    {
        return put(src, DOUBLE_BASE + (long)srcOffset * Double.BYTES, (long)count * Double.BYTES);
    }

    private long put(final Object src, final long srcAddress, final long bytes)
    {
        long bytesLeft = bytes;
        long from = srcAddress;
        long result = 1;
        while (bytesLeft > 0)
        {
            if (room == 0)
            {
                if (unclaimed == 0)
                {
                    throw new IllegalStateException(bytesLeft + " bytes past the frame's end");
                }
                result = next();
                if (result <= 0)
                {
                    return result;
                }
            }
            final int n = (int)Math.min(room, bytesLeft);
            final MutableDirectBuffer buffer = claim.buffer();
            UnsafeApi.copyMemory(src, from, buffer.byteArray(), buffer.addressOffset() + at, n);
            from += n;
            at += n;
            room -= n;
            bytesLeft -= n;
        }
        return result;
    }

    /** Whether every byte of the frame claimed has been written. */
    public boolean written()
    {
        return room == 0 && unclaimed == 0;
    }

    /** Commits the frame's last fragment, all its bytes {@link #written()}, and rings its poller. */
    public void commit()
    {
        if (!written())
        {
            abort();
            throw new IllegalStateException("frame committed with " + (room + unclaimed) + " bytes unwritten");
        }
        claim.flags((byte)(fragment == 0 ? FrameDescriptor.UNFRAGMENTED : FrameDescriptor.END_FRAG_FLAG));
        claim.commit();
        outlet.bell().ring();
        release();
    }

    /**
     * Gives the fragment claimed back as padding, after which a receiver drops the frame's fragments
     * committed before it; a no-op when none is claimed.
     */
    public void abort()
    {
        if (claimed)
        {
            claim.abort();
        }
        release();
    }

    /** Commits the fragment claimed, not the frame's last, and claims the next. */
    private long next()
    {
        if (claimed)
        {
            claim.flags((byte)(fragment == 0 ? FrameDescriptor.BEGIN_FRAG_FLAG : 0));
            claim.commit();
            claimed = false;
            fragment++;
        }
        final int length = Math.min(unclaimed, publication.maxPayloadLength());
        final long result = publication.tryClaim(length, claim);
        if (result <= 0)
        {
            if (result == Publication.BACK_PRESSURED)
            {
                outlet.limitKeeper().ring();
            }
            return result;
        }
        claimed = true;
        unclaimed -= length;
        room = length;
        at = claim.offset();
        return result;
    }

    private void release()
    {
        claimed = false;
        outlet = null;
        publication = null;
        room = 0;
        unclaimed = 0;
    }
}
