package dev.switchyard.dataplane;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.UnsafeApi;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * Frames of several fragments taken in as their fragments come, for a receiver that puts each part of a
 * frame where it belongs (a block's rows into an expert's input, an answer's rows into the caller's array)
 * instead of into a copy of the whole frame that is then read again, as Aeron's {@code FragmentAssembler}
 * does. Sessions interleave, so each sending session has a frame under way of its own; a fragment that
 * does not follow the one before in its session drops its frame (as {@code FragmentAssembler} does), and
 * so do fragments of a frame whose start was never seen. Used by one thread.
 *
 * @param <P> what a receiver keeps of one session's frame under way
 */
public abstract class SessionFragments<P extends SessionFragments.Partial> implements FragmentHandler
{
    /**
     * One session's frame under way; a receiver adds what it keeps of it. A frame it does not take in
     * as it comes is put together whole here ({@link #keepWhole}), as {@code FragmentAssembler} would.
     */
    public abstract static class Partial
    {
        boolean active;
        int nextTermOffset;
        final ExpandableDirectByteBuffer whole;
        int wholeLength;
        private long received;
        private long frameLength;

        /** @param wholeCapacity where the buffer for frames put together whole starts: it grows as needed */
        protected Partial(final int wholeCapacity)
        {
            whole = new ExpandableDirectByteBuffer(wholeCapacity);
        }

        /** Starts putting a new frame together whole. */
        public final void clearWhole()
        {
            wholeLength = 0;
        }

        /** Appends the fragment's bytes to the frame put together whole. */
        public final void keepWhole(final DirectBuffer buffer, final int offset, final int length)
        {
            whole.putBytes(wholeLength, buffer, offset, length);
            wholeLength += length;
        }

        /** Starts counting the bytes of a frame taken in as it comes, {@code frameLength} as its head says. */
        public final void expect(final long frameLength)
        {
            this.received = 0;
            this.frameLength = frameLength;
        }

        /**
         * Counts a fragment of {@code length} bytes of the frame taken in as it comes.
         *
         * @return where the fragment starts in the frame, or -1 once the frame runs past the length its
         * head gave (nothing more is kept: it is refused for its length at its end)
         */
        public final long advance(final int length)
        {
            final long from = received;
            received += length;
            return received > frameLength ? -1 : from;
        }

        /** Bytes of the frame taken in so far, past 2 GiB counted as 2 GiB. */
        public final int received()
        {
            return (int)Math.min(Integer.MAX_VALUE, received);
        }

        /** Whether the frame brought exactly the bytes its head called for. */
        public final boolean complete()
        {
            return received == frameLength;
        }
    }

    private final Int2ObjectHashMap<P> partials = new Int2ObjectHashMap<>();
    private final int maxSessions;
    private final FragmentHandler wholeFrames;

    /**
     * @param maxSessions sessions remembered; past it those with no frame under way are forgotten
     * @param wholeFrames takes every frame of one fragment and every frame put together whole
     */
    protected SessionFragments(final int maxSessions, final FragmentHandler wholeFrames)
    {
        this.maxSessions = maxSessions;
        this.wholeFrames = wholeFrames;
    }

    /**
     * Copies the bytes of a fragment that fall in the frame's part [start, end): the fragment is
     * {@code length} bytes at {@code offset} of {@code buffer} and starts at byte {@code from} of the frame;
     * byte {@code start} of the frame goes to {@code dstAddress} of {@code dst} (an array, with
     * {@code UnsafeApi}'s addressing).
     */
    public static void copyPart(
        final DirectBuffer buffer, final int offset, final long from, final int length, final long start,
        final long end, final Object dst, final long dstAddress)
    {
        final long first = Math.max(from, start);
        final long last = Math.min(from + length, end);
        if (last > first)
        {
            UnsafeApi.copyMemory(buffer.byteArray(), buffer.addressOffset() + offset + (first - from), dst,
                dstAddress + first - start, last - first);
        }
    }

    /** Hands the frame {@code partial} put together whole on, as one fragment of it. */
    protected final void handWhole(final P partial, final Header header)
    {
        wholeFrames.onFragment(partial.whole, 0, partial.wholeLength, header);
    }

    @Override
    public final void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final byte flags = header.flags();
        if ((flags & FrameDescriptor.UNFRAGMENTED) == FrameDescriptor.UNFRAGMENTED)
        {
            wholeFrames.onFragment(buffer, offset, length, header);
            return;
        }
        final P partial;
        if ((flags & FrameDescriptor.BEGIN_FRAG_FLAG) != 0)
        {
            partial = partial(header.sessionId());
            partial.active = true;
            onFirst(partial, buffer, offset, length);
        }
        else
        {
            partial = partials.get(header.sessionId());
            if (partial == null || !partial.active)
            {
                return;
            }
            if (header.termOffset() != partial.nextTermOffset)
            {
                partial.active = false;
                return;
            }
            onNext(partial, buffer, offset, length);
        }
        partial.nextTermOffset = header.nextTermOffset();
        if ((flags & FrameDescriptor.END_FRAG_FLAG) != 0)
        {
            partial.active = false;
            onEnd(partial, header);
        }
    }

    private P partial(final int sessionId)
    {
        P partial = partials.get(sessionId);
        if (partial == null)
        {
            if (partials.size() >= maxSessions)
            {
                partials.values().removeIf(p -> !p.active);
            }
            partial = newPartial();
            partials.put(sessionId, partial);
        }
        return partial;
    }

    /** What this receiver keeps of a session's frame under way, once per session. */
    protected abstract P newPartial();

    /** The first fragment of a frame of several. */
    protected abstract void onFirst(P partial, DirectBuffer buffer, int offset, int length);

    /** A fragment after the first, in order. */
    protected abstract void onNext(P partial, DirectBuffer buffer, int offset, int length);

    /** The frame's last fragment was taken ({@code header} is the last fragment's). */
    protected abstract void onEnd(P partial, Header header);
}
