package dev.switchyard.client;

import dev.switchyard.dataplane.Doorbell;
import dev.switchyard.dataplane.FragmentedClaim;
import dev.switchyard.dataplane.Outlet;
import dev.switchyard.wire.frame.RequestFrame;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;

/**
 * Writes a request's part where the gateway reads it, which saves the copy of its rows into a frame of
 * its own that an offer would copy again: claimed whole when the frame is one fragment, fragment by
 * fragment when it takes several and fits the rest of the term and the window of an exclusive (UDP)
 * publication. Each method is one try that never waits. Used under the connection's send lock.
 */
final class RequestClaims
{
    private final RequestFrame requestFrame;
    private final Doorbell driver;
    private final BufferClaim claim = new BufferClaim();
    private final FragmentedClaim fragments = new FragmentedClaim();
    private Outlet outlet;

    /** @param driver rung when the publication is back-pressured (the requests' poller is rung by the sender) */
    RequestClaims(final RequestFrame requestFrame, final Doorbell driver)
    {
        this.requestFrame = requestFrame;
        this.driver = driver;
    }

    /** Claims room for {@code part}'s frame of one fragment and writes it there; the publication's result. */
    long whole(final Publication requests, final RequestPart part, final int length, final long clientId, final int d)
    {
        final long result = requests.tryClaim(length, claim);
        if (result > 0)
        {
            final int written;
            try
            {
                written = part.write(requestFrame, claim.buffer(), claim.offset(), clientId, d);
            }
            catch (final RuntimeException ex)
            {
                claim.abort();
                throw ex;
            }
            if (written != length)
            {
                claim.abort();
                throw new IllegalStateException("request frame of " + written + " bytes, " + length + " expected");
            }
            claim.commit();
        }
        return result;
    }

    /** Whether a frame of {@code length} bytes can be claimed fragment by fragment on {@code requests} now. */
    boolean fitsInFragments(final Publication requests, final int length)
    {
        if (outlet == null || outlet.publication() != requests)
        {
            outlet = new Outlet(requests, Doorbell.NONE, driver);
        }
        return FragmentedClaim.fits(outlet, length);
    }

    /**
     * Claims {@code part}'s frame fragment by fragment ({@link #fitsInFragments} just held) and writes it
     * there; the claims' result (a frame whose claim failed halfway is dropped by the gateway).
     */
    long inFragments(final RequestPart part, final int length, final long clientId, final int d)
    {
        final long claimed = fragments.claim(outlet, length);
        if (claimed <= 0)
        {
            return claimed;
        }
        try
        {
            final long result = part.write(requestFrame, fragments, clientId, d);
            if (result <= 0)
            {
                fragments.abort();
                return result;
            }
            if (!fragments.written())
            {
                fragments.abort();
                throw new IllegalStateException("request frame shorter than the " + length + " bytes claimed");
            }
        }
        catch (final RuntimeException ex)
        {
            fragments.abort();
            throw ex;
        }
        fragments.commit();
        return claimed;
    }
}
