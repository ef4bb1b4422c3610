package dev.switchyard.gateway.dispatch;

import dev.switchyard.dataplane.Outlet;
import dev.switchyard.dataplane.TermClaim;
import dev.switchyard.wire.frame.AnswerFrame;

/**
 * Writes an answer straight into its client's term buffer, which saves the copy of its rows into a
 * frame of its own that an offer would copy again. Only for an answer that fits one fragment and
 * whose length is known before it is written (a result without detail); any other is for the caller
 * to send as before.
 */
final class AnswerInPlace
{
    private final AnswerFrame frame = new AnswerFrame();
    private final TermClaim claim = new TermClaim();
    private final int d;

    AnswerInPlace(final int d)
    {
        this.d = d;
    }

    /** Whether the answer went out here; false leaves it to the caller, nothing of it sent. */
    boolean write(final PendingRequest request, final Outlet outlet, final TrafficTap tap, final long nowNs)
    {
        final int length = request.resultLength(d);
        if (length < 0 || !TermClaim.fits(outlet, length) || claim.claim(outlet, length) <= 0)
        {
            return false;
        }
        final int written;
        try
        {
            written = request.writeAnswer(frame, claim.buffer(), claim.offset(), d);
        }
        catch (final RuntimeException ex)
        {
            claim.abort();
            throw ex;
        }
        if (written != length)
        {
            claim.abort();  // never a frame of the wrong length: the ordinary way writes it again
            return false;
        }
        tap.answer(nowNs, claim.buffer(), claim.offset(), length);
        claim.commit();
        return true;
    }
}
