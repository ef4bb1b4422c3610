package dev.switchyard.dataplane;

import io.aeron.Publication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Offers a message and handles every result: back-pressure and admin actions are retried, a
 * publication that is not (yet) connected is retried until the deadline, closed or exhausted
 * publications fail at once. The caller learns the outcome and answers or counts it: nothing is
 * dropped silently.
 */
public final class Offers
{
    /** The message is larger than the publication can carry. */
    public static final long TOO_LARGE = -100;
    /** The deadline passed while back-pressured or not connected. */
    public static final long GAVE_UP = -101;

    /** Work the offering thread does while it waits, so that waiting never blocks its peers. */
    @FunctionalInterface
    public interface WhileWaiting
    {
        int doWork();
    }

    private Offers()
    {
    }

    /**
     * @return the new position (&gt; 0) or a negative code: {@link Publication#CLOSED},
     * {@link Publication#MAX_POSITION_EXCEEDED}, {@link Publication#NOT_CONNECTED} (only once the
     * deadline passed), {@link #TOO_LARGE} or {@link #GAVE_UP}
     */
    public static long offer(
        final Publication publication,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final IdleStrategy idle,
        final long timeoutNs,
        final WhileWaiting whileWaiting)
    {
        return offer(publication, buffer, offset, length, idle, timeoutNs, whileWaiting, Doorbell.NONE);
    }

    /**
     * As {@link #offer(Publication, DirectBuffer, int, int, IdleStrategy, long, WhileWaiting)}, ringing
     * {@code limitKeeper} (the media driver's thread, which moves publication limits) whenever the
     * publication is back-pressured.
     */
    public static long offer(
        final Publication publication,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final IdleStrategy idle,
        final long timeoutNs,
        final WhileWaiting whileWaiting,
        final Doorbell limitKeeper)
    {
        if (length > publication.maxMessageLength())
        {
            return TOO_LARGE;
        }
        long deadline = 0;
        idle.reset();
        while (true)
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                return result;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                return result;
            }
            // BACK_PRESSURED, ADMIN_ACTION, NOT_CONNECTED: transient until the deadline.
            final long now = System.nanoTime();
            if (deadline == 0)
            {
                deadline = now + timeoutNs;
            }
            else if (now - deadline > 0)
            {
                return result == Publication.NOT_CONNECTED ? Publication.NOT_CONNECTED : GAVE_UP;
            }
            if (result == Publication.BACK_PRESSURED)
            {
                limitKeeper.ring();
            }
            final int work = whileWaiting == null ? 0 : whileWaiting.doWork();
            idle.idle(work);
        }
    }

    public static String describe(final long result)
    {
        if (result == Publication.NOT_CONNECTED)
        {
            return "not connected";
        }
        if (result == Publication.BACK_PRESSURED)
        {
            return "back-pressured";
        }
        if (result == Publication.ADMIN_ACTION)
        {
            return "admin action";
        }
        if (result == Publication.CLOSED)
        {
            return "publication closed";
        }
        if (result == Publication.MAX_POSITION_EXCEEDED)
        {
            return "max position exceeded";
        }
        if (result == TOO_LARGE)
        {
            return "message larger than the publication can carry";
        }
        if (result == GAVE_UP)
        {
            return "back-pressured past the deadline";
        }
        return result > 0 ? "sent" : "offer result " + result;
    }
}
