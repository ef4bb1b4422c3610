package dev.switchyard.dataplane;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

/**
 * A fragment handler that no frame can throw out of: whatever a receiver's handler throws is counted
 * against the frame's sender and the duty cycle goes on with the next frame. The readers are total,
 * so this only ever catches a defect; it keeps one defect from becoming an outage.
 */
public record GuardedFragments(FragmentHandler handler, FrameFaults faults) implements FragmentHandler
{
    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        try
        {
            handler.onFragment(buffer, offset, length, header);
        }
        catch (final RuntimeException ex)
        {
            faults.countException(header.sessionId(), length, ex);
        }
    }
}
