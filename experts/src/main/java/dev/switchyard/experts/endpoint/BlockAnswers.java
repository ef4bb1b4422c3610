package dev.switchyard.experts.endpoint;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.switchyard.compute.network.FrameCompute;
import dev.switchyard.dataplane.Outlet;
import dev.switchyard.dataplane.TermClaim;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The answer to each block an endpoint takes: the rows its expert computes, or the status that
 * says why there are none, sent back to the gateway that asked. Counts the rows served and, per
 * expert, the rows computed and the time their forward passes took. Used by the endpoint's thread;
 * the counts are read by metrics from any thread.
 */
final class BlockAnswers
{
    private final ExpertEndpoint.Shape shape;
    private final GatewayReplies replies;
    private final UnsafeBuffer out;
    /** {@link #out} as memory, from its first byte: an expert that writes memory computes a frame's rows there. */
    private final MemorySegment outMemory;
    private final long outMemoryOffset;
    private final TermClaim claim = new TermClaim();
    private final float[] x;   // [maxRows, d]
    private final float[] y;   // [maxRows, d]
    private final AtomicLong rowsServed = new AtomicLong();
    private final AtomicLong computedInPlace = new AtomicLong();
    // [layers, E]: rows computed and the time their forward passes took, per expert served here.
    private final AtomicLongArray computedRows;
    private final AtomicLongArray computeNanos;

    /** @param frameLength bytes of a frame that holds the largest block, from {@link #frameLength} */
    BlockAnswers(final ExpertEndpoint.Shape shape, final int frameLength, final GatewayReplies replies)
    {
        this.shape = shape;
        this.replies = replies;
        this.computedRows = new AtomicLongArray(shape.layers() * shape.numExperts());
        this.computeNanos = new AtomicLongArray(shape.layers() * shape.numExperts());
        final long elements = (long)shape.maxRows() * shape.dModel();
        this.x = new float[(int)elements];
        this.y = new float[(int)elements];
        this.out = new UnsafeBuffer(BufferUtil.allocateDirectAligned(frameLength, 64));
        this.outMemory = MemorySegment.ofBuffer(out.byteBuffer());
        this.outMemoryOffset = out.addressOffset() - outMemory.address();
    }

    /**
     * The bytes of a frame that holds the largest block of {@code shape}; refused, before anything
     * is allocated for it, when that exceeds {@code maxMessage}, the largest data-plane message.
     */
    static int frameLength(final ExpertEndpoint.Shape shape, final int maxMessage)
    {
        final long length = WireLayout.blockFrameLength(shape.maxRows(), shape.dModel());
        if (length > maxMessage)
        {
            throw new IllegalArgumentException("a block of " + shape.maxRows() + " x " + shape.dModel() +
                " floats exceeds the largest data-plane message (" + maxMessage + " bytes): raise the term length");
        }
        return (int)length;
    }

    /**
     * Answers the block in {@code frame}: computed by {@code expert} when {@code status} is OK,
     * otherwise with {@code status} and no rows. Sent now or held for the next passes, never waited for.
     *
     * @param rows the block's rows when they were put together already, or null: read from the frame
     */
    void answer(final ExpertBlockFrame frame, final BlockStatus status, final ExpertTable.Registered expert,
        final float[] rows)
    {
        final int outLength;
        if (status == BlockStatus.OK)
        {
            final int count = frame.rows();
            final float[] in = rows != null ? rows : x;
            if (rows == null)
            {
                frame.readRows(x, 0);
            }
            final long computeStartNs = System.nanoTime();
            final Computed computed = compute(frame, expert, in, count);
            countCompute(frame.layer(), frame.expert(), count, System.nanoTime() - computeStartNs);
            rowsServed.addAndGet(count);
            if (computed == Computed.SENT ||
                computed == Computed.IN_ROWS && writtenInPlace(frame, expert.epoch(), count))
            {
                return;
            }
            if (computed == Computed.IN_FRAME)
            {
                frame.writeHeader(out, 0, frame.groupId(), frame.replyTo(), frame.layer(), frame.expert(),
                    expert.epoch(), count, shape.dModel(), BlockStatus.OK);
                outLength = (int)WireLayout.blockFrameLength(count, shape.dModel());
            }
            else
            {
                outLength = frame.write(out, 0, frame.groupId(), frame.replyTo(), frame.layer(), frame.expert(),
                    expert.epoch(), count, shape.dModel(), BlockStatus.OK, y, 0);
            }
        }
        else
        {
            outLength = frame.write(out, 0, frame.groupId(), frame.replyTo(), frame.layer(), frame.expert(),
                frame.epoch(), 0, 0, status, y, 0);
        }
        replies.send(frame.replyTo(), out, 0, outLength, System.nanoTime());
    }

    /** Where a block's result rows were computed. */
    private enum Computed
    {
        /** Into the gateway's term buffer, and published. */
        SENT,
        /** Into {@link #out}, after room for the header: a frame to offer. */
        IN_FRAME,
        /** Into {@link #y}: the expert computes into arrays only (not a {@link FrameCompute}). */
        IN_ROWS
    }

    /**
     * Computes the block where its answer frame is written with the fewest copies: in the gateway's term
     * buffer where the frame can be claimed; else, for an expert that writes frames, in the frame that is
     * offered (several fragments, or its gateway backlogged); else in rows to copy from.
     */
    private Computed compute(
        final ExpertBlockFrame frame, final ExpertTable.Registered expert, final float[] in, final int rows)
    {
        if (computedInPlace(frame, expert, in, rows))
        {
            return Computed.SENT;
        }
        if (expert.compute() instanceof FrameCompute frames)
        {
            frames.forward(in, 0, rows, outMemory, outMemoryOffset + WireLayout.BLOCK_HEADER_LENGTH);
            return Computed.IN_FRAME;
        }
        expert.compute().forward(in, 0, rows, y, 0);
        return Computed.IN_ROWS;
    }

    /**
     * Computes the block's result rows straight into the gateway's term buffer when the expert writes
     * frames and the frame can be claimed there (see {@link GatewayReplies#direct}): the rows are written
     * once, by the kernel, where the gateway reads them. False when it must be computed the ordinary way.
     * The claim blocks the stream to that gateway while the block computes; only this thread writes it.
     */
    private boolean computedInPlace(
        final ExpertBlockFrame frame, final ExpertTable.Registered expert, final float[] in, final int rows)
    {
        if (!(expert.compute() instanceof FrameCompute frames))
        {
            return false;
        }
        final int length = (int)WireLayout.blockFrameLength(rows, shape.dModel());
        final Outlet outlet = replies.direct(frame.replyTo(), length);
        if (outlet == null || claim.claim(outlet, length) <= 0)
        {
            return false;
        }
        final MemorySegment memory = claim.memory();
        if (memory == null)
        {
            claim.abort();
            return false;
        }
        try
        {
            // rows [rows, d] after the header, as little-endian floats
            frames.forward(in, 0, rows, memory, claim.memoryOffset() + WireLayout.BLOCK_HEADER_LENGTH);
            frame.writeHeader(claim.buffer(), claim.offset(), frame.groupId(), frame.replyTo(), frame.layer(),
                frame.expert(), expert.epoch(), rows, shape.dModel(), BlockStatus.OK);
        }
        catch (final RuntimeException ex)
        {
            claim.abort();
            throw ex;
        }
        claim.commit();
        computedInPlace.incrementAndGet();
        return true;
    }

    /**
     * Writes the result rows straight into the gateway's term buffer when the frame can be claimed
     * there (see {@link GatewayReplies#direct}), saving their copy into a frame of its own; false when
     * it must be sent the ordinary way.
     */
    private boolean writtenInPlace(final ExpertBlockFrame frame, final int epoch, final int rows)
    {
        final int length = (int)WireLayout.blockFrameLength(rows, shape.dModel());
        final Outlet outlet = replies.direct(frame.replyTo(), length);
        if (outlet == null || claim.claim(outlet, length) <= 0)
        {
            return false;
        }
        try
        {
            frame.write(claim.buffer(), claim.offset(), frame.groupId(), frame.replyTo(), frame.layer(),
                frame.expert(), epoch, rows, shape.dModel(), BlockStatus.OK, y, 0);
        }
        catch (final RuntimeException ex)
        {
            claim.abort();
            throw ex;
        }
        claim.commit();
        return true;
    }

    private void countCompute(final int layer, final int expert, final int rows, final long nanos)
    {
        if (layer >= 0 && layer < shape.layers() && expert >= 0 && expert < shape.numExperts())
        {
            computedRows.addAndGet(layer * shape.numExperts() + expert, rows);
            computeNanos.addAndGet(layer * shape.numExperts() + expert, nanos);
        }
    }

    long computedInPlace()
    {
        return computedInPlace.get();
    }

    long rowsServed()
    {
        return rowsServed.get();
    }

    long computedRows(final int layer, final int expert)
    {
        return computedRows.get(layer * shape.numExperts() + expert);
    }

    long computeNanos(final int layer, final int expert)
    {
        return computeNanos.get(layer * shape.numExperts() + expert);
    }
}
