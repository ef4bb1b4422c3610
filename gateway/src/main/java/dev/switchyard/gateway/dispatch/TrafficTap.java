package dev.switchyard.gateway.dispatch;

import org.agrona.DirectBuffer;

/**
 * Sees the frames a gateway takes in and sends out, on the data-plane thread: a request frame as it
 * arrived (whole, from a known client, before admission) and every answer frame sent to a client.
 * An implementation copies what it keeps and returns at once; it must not block or allocate.
 */
public interface TrafficTap
{
    TrafficTap NONE = new TrafficTap()
    {
        @Override
        public void request(final long arrivalNs, final DirectBuffer frame, final int offset, final int length)
        {
        }

        @Override
        public void answer(final long sentNs, final DirectBuffer frame, final int offset, final int length)
        {
        }
    };

    /** A request frame, at {@code arrivalNs} (the gateway's clock: {@link System#nanoTime()} in service). */
    void request(long arrivalNs, DirectBuffer frame, int offset, int length);

    /** An answer frame (result or error), as it leaves for its client. */
    void answer(long sentNs, DirectBuffer frame, int offset, int length);
}
