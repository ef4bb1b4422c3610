package dev.switchyard.gateway.dispatch;

import dev.switchyard.dataplane.FragmentedClaim;
import dev.switchyard.dataplane.Outlet;
import dev.switchyard.dataplane.TermClaim;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.wire.frame.AnswerFrame;

/**
 * Writes an answer straight into its client's term buffer, which saves the copy of its rows into a
 * frame of its own that an offer would copy again. Only for an answer whose length is known before it
 * is written (a result without detail), claimed whole when it fits one fragment, or fragment by fragment
 * when it fits the rest of the term and the window and no tap needs the whole frame ({@link
 * FragmentedClaim}); any other is for the caller to send as before.
 */
final class AnswerInPlace
{
    private final AnswerFrame frame = new AnswerFrame();
    private final TermClaim claim = new TermClaim();
    private final FragmentedClaim fragments = new FragmentedClaim();
    private final int d;
    private final GatewayMetrics metrics;

    AnswerInPlace(final int d, final GatewayMetrics metrics)
    {
        this.d = d;
        this.metrics = metrics;
    }

    /** Whether the answer went out here; false leaves it to the caller, nothing of it sent. */
    boolean write(final PendingRequest request, final Outlet outlet, final TrafficTap tap, final long nowNs)
    {
        final int length = request.resultLength(d);
        if (length >= 0 && tap == TrafficTap.NONE && FragmentedClaim.fits(outlet, length))
        {
            return writeInFragments(request, outlet, length);
        }
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

    /** A failed claim leaves a frame its client drops, and the answer to the caller to send whole. */
    private boolean writeInFragments(final PendingRequest request, final Outlet outlet, final int length)
    {
        if (fragments.claim(outlet, length) <= 0)
        {
            return false;
        }
        try
        {
            if (request.writeResultInFragments(frame, fragments, d) <= 0 || !fragments.written())
            {
                fragments.abort();  // never a frame of the wrong length: the ordinary way writes it again
                return false;
            }
        }
        catch (final RuntimeException ex)
        {
            fragments.abort();
            throw ex;
        }
        fragments.commit();
        metrics.answersInFragments.incrementAndGet();
        return true;
    }
}
