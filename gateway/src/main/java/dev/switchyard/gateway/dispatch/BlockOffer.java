package dev.switchyard.gateway.dispatch;

import dev.switchyard.dataplane.FragmentedClaim;
import dev.switchyard.dataplane.Offers;
import dev.switchyard.dataplane.Outlet;
import dev.switchyard.dataplane.TermClaim;
import dev.switchyard.gateway.metrics.GatewayMetrics;
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
 * from the group's rows in slot order. A block is gathered straight into the term buffer (one copy of
 * each row): claimed whole when it fits one fragment, fragment by fragment when it takes several and
 * fits the rest of the term and the window ({@link FragmentedClaim}); else it is gathered into a reused
 * buffer and offered (Aeron then starts the next term).
 */
final class BlockOffer
{
    private final int d;
    private final ExpertBlockFrame blockFrame = new ExpertBlockFrame();
    private final TermClaim claim = new TermClaim();
    private final FragmentedClaim fragments = new FragmentedClaim();
    private final GatewayMetrics metrics;
    private final UnsafeBuffer sendBuffer;

    BlockOffer(final int d, final FrameSizes sizes, final GatewayMetrics metrics)
    {
        this.d = d;
        this.metrics = metrics;
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
        if (FragmentedClaim.fits(outlet, length))
        {
            return offerInFragments(outlet, length, group, unit, replyTo, epoch);
        }
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

    /** The block gathered into fragments claimed one by one; a failed claim leaves a frame its receiver drops. */
    private long offerInFragments(
        final Outlet outlet, final int length, final GroupSlot group, final int unit, final long replyTo,
        final int epoch)
    {
        final long claimed = fragments.claim(outlet, length);
        if (claimed <= 0)
        {
            return claimed;
        }
        final int expert = unit / GroupSlot.PARTS;
        final RoutingPlan plan = group.plan;
        final int first = group.partStart[unit];
        final int rows = group.partRows[unit];
        try
        {
            blockFrame.writeHeader(fragments.buffer(), fragments.offset(), group.wireId(unit), replyTo, group.layer,
                expert, epoch, rows, d, BlockStatus.OK);
            fragments.skip(WireLayout.BLOCK_HEADER_LENGTH);
            for (int i = 0; i < rows; i++)  // [rows, d], as write gathers them
            {
                final long result =
                    fragments.putFloats(group.input, (group.inputRow + plan.slotToken(expert, first + i)) * d, d);
                if (result <= 0)
                {
                    fragments.abort();
                    return result;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            fragments.abort();
            throw ex;
        }
        fragments.commit();
        metrics.blocksInFragments.incrementAndGet();
        return claimed;
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
