package dev.switchyard.gateway.dispatch;

import dev.switchyard.dataplane.Offers;
import dev.switchyard.dataplane.Outlet;
import dev.switchyard.dataplane.TermClaim;
import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.FloatRows;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import io.aeron.Publication;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Puts one part of an expert's block on an outlet, offered once: its header and its rows, gathered
 * from the group's rows in slot order. A block that fits one fragment is gathered straight into the
 * term buffer (one copy of each row); a larger one is gathered into a reused buffer and offered.
 */
final class BlockOffer
{
    private final int d;
    private final ExpertBlockFrame blockFrame = new ExpertBlockFrame();
    private final TermClaim claim = new TermClaim();
    private final UnsafeBuffer sendBuffer;

    BlockOffer(final int d, final FrameSizes sizes)
    {
        this.d = d;
        this.sendBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(sizes.blockFrameLength(), 64));
    }

    /**
     * Offers part {@code unit} of {@code group} once, addressed to the incarnation {@code epoch}.
     *
     * @return the new position (&gt; 0) or the publication's code, {@link Offers#TOO_LARGE} included
     */
    long offer(final Outlet outlet, final GroupSlot group, final int unit, final long replyTo, final int epoch)
    {
        final int rows = group.partRows[unit];
        final int length = WireLayout.BLOCK_HEADER_LENGTH + rows * d * Float.BYTES;
        if (!TermClaim.fits(outlet, length))
        {
            write(sendBuffer, 0, group, unit, replyTo, epoch);
            return offerOnce(outlet, sendBuffer, length);
        }
        final long result = claim.claim(outlet, length);
        if (result > 0)
        {
            try
            {
                write(claim.buffer(), claim.offset(), group, unit, replyTo, epoch);
            }
            catch (final RuntimeException ex)
            {
                claim.abort();
                throw ex;
            }
            claim.commit();
        }
        return result;
    }

    private void write(final MutableDirectBuffer buffer, final int offset, final GroupSlot group, final int unit,
        final long replyTo, final int epoch)
    {
        final int expert = unit / GroupSlot.PARTS;
        final RoutingPlan plan = group.plan;
        final int first = group.partStart[unit];
        final int rows = group.partRows[unit];
        blockFrame.writeHeader(buffer, offset, group.wireId(unit), replyTo, group.layer, expert, epoch, rows, d,
            BlockStatus.OK);
        // [rows, d]: row i holds the token the plan put in slot first + i, gathered from the group's rows
        int at = offset + WireLayout.BLOCK_HEADER_LENGTH;
        for (int i = 0; i < rows; i++)
        {
            FloatRows.write(buffer, at, group.input, (group.inputRow + plan.slotToken(expert, first + i)) * d, d);
            at += d * Float.BYTES;
        }
    }

    /** One offer, no waiting: the doorbell of the poller on success, the driver's when back-pressured. */
    static long offerOnce(final Outlet outlet, final DirectBuffer buffer, final int length)
    {
        final Publication publication = outlet.publication();
        if (length > publication.maxMessageLength())
        {
            return Offers.TOO_LARGE;
        }
        final long result = publication.offer(buffer, 0, length);
        if (result > 0)
        {
            outlet.bell().ring();
        }
        else if (result == Publication.BACK_PRESSURED)
        {
            outlet.limitKeeper().ring();
        }
        return result;
    }
}
