package dev.switchyard.experts.endpoint;

import java.nio.ByteOrder;

import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import dev.switchyard.dataplane.SessionFragments;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Puts a frame of several fragments back together for {@link BlockIntake}. A block's rows go from
 * each fragment straight into the rows its expert computes from, instead of into a copy of the
 * whole frame that is then read into them: one copy of each row fewer. Any other frame (and a block
 * whose header is not all in its first fragment) is put together whole, as Aeron's
 * {@code FragmentAssembler} does. A block put together this way is checked as the whole frame would
 * be: its header, and its length against its rows and columns. Used by the endpoint's thread only.
 */
final class BlockAssembler extends SessionFragments<BlockAssembler.Partial>
{
    private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);
    /** Sessions remembered; past it those with no frame under way are forgotten (bounded). */
    private static final int MAX_SESSIONS = 256;

    /** One session's frame under way. */
    static final class Partial extends SessionFragments.Partial
    {
        final UnsafeBuffer blockHeader = new UnsafeBuffer(new byte[WireLayout.BLOCK_HEADER_LENGTH]);
        float[] rows;
        boolean block;
        long rowBytes;

        Partial()
        {
            super(4096);
        }
    }

    private final BlockIntake intake;
    private final int rowFloats;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    /** @param rowFloats floats of the largest block's rows (max rows x d_model): more are never kept */
    BlockAssembler(final BlockIntake intake, final int rowFloats)
    {
        super(MAX_SESSIONS, intake);
        this.intake = intake;
        this.rowFloats = rowFloats;
    }

    @Override
    protected Partial newPartial()
    {
        return new Partial();
    }

    @Override
    protected void onEnd(final Partial partial, final Header header)
    {
        if (partial.block)
        {
            // Past 2 GiB it is refused for its length all the same.
            final int frameLength = (int)Math.min(Integer.MAX_VALUE, WireLayout.BLOCK_HEADER_LENGTH + partial.rowBytes);
            intake.onBlock(partial.blockHeader, 0, frameLength, header, partial.rows);
        }
        else
        {
            handWhole(partial, header);
        }
    }

    @Override
    protected void onFirst(final Partial partial, final DirectBuffer buffer, final int offset, final int length)
    {
        partial.block = false;
        if (NATIVE_LE && length >= WireLayout.BLOCK_HEADER_LENGTH)
        {
            headerDecoder.wrap(buffer, offset);
            partial.block = ExpertBlockFrame.isExpertBlock(headerDecoder);
        }
        if (partial.block)
        {
            if (partial.rows == null)
            {
                partial.rows = new float[rowFloats];
            }
            partial.blockHeader.putBytes(0, buffer, offset, WireLayout.BLOCK_HEADER_LENGTH);
            partial.rowBytes = 0;
            onNext(partial, buffer, offset + WireLayout.BLOCK_HEADER_LENGTH, length - WireLayout.BLOCK_HEADER_LENGTH);
        }
        else
        {
            partial.clearWhole();
            onNext(partial, buffer, offset, length);
        }
    }

    @Override
    protected void onNext(final Partial partial, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!partial.block)
        {
            partial.keepWhole(buffer, offset, length);
            return;
        }
        // Bytes past the largest block are counted, not kept: a frame that long is refused for its shape.
        if (partial.rowBytes + length <= (long)rowFloats * Float.BYTES)
        {
            UnsafeApi.copyMemory(buffer.byteArray(), buffer.addressOffset() + offset, partial.rows,
                FLOAT_BASE + partial.rowBytes, length);
        }
        partial.rowBytes += length;
    }
}
