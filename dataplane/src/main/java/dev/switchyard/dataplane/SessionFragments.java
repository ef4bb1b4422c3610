package dev.switchyard.dataplane;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
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
        private final ExpandableDirectByteBuffer whole;
        private int wholeLength;

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

        /** Hands the frame put together whole to {@code handler}, as one fragment of it. */
        public final void handWhole(final FragmentHandler handler, final Header header)
        {
            handler.onFragment(whole, 0, wholeLength, header);
        }
    }

    private final Int2ObjectHashMap<P> partials = new Int2ObjectHashMap<>();
    private final int maxSessions;

    /** @param maxSessions sessions remembered; past it those with no frame under way are forgotten */
    protected SessionFragments(final int maxSessions)
    {
        this.maxSessions = maxSessions;
    }

    @Override
    public final void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final byte flags = header.flags();
        if ((flags & FrameDescriptor.UNFRAGMENTED) == FrameDescriptor.UNFRAGMENTED)
        {
            onWholeFrame(buffer, offset, length, header);
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

    /** A frame of one fragment. */
    protected abstract void onWholeFrame(DirectBuffer buffer, int offset, int length, Header header);

    /** The first fragment of a frame of several. */
    protected abstract void onFirst(P partial, DirectBuffer buffer, int offset, int length);

    /** A fragment after the first, in order. */
    protected abstract void onNext(P partial, DirectBuffer buffer, int offset, int length);

    /** The frame's last fragment was taken ({@code header} is the last fragment's). */
    protected abstract void onEnd(P partial, Header header);
}
