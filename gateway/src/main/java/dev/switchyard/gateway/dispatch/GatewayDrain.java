package dev.switchyard.gateway.dispatch;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The drain of a stopping gateway: begun on the gateway's thread (new requests refused, clients
 * told), and followed from the thread that waits for it to end through what the gateway's thread
 * publishes each duty cycle: the requests it took and has not answered, and when the last came.
 */
final class GatewayDrain
{
    private final AtomicInteger unanswered = new AtomicInteger(-1);
    private final AtomicLong lastRequestNs = new AtomicLong();
    /** The gateway's thread only. */
    private boolean draining;

    /** On the gateway's thread: new requests are refused from now on, and every client is told. */
    void begin(final Admission admission, final ClientOutlets clients)
    {
        admission.drain();
        clients.announceShutdown();
        draining = true;
    }

    /** On the gateway's thread, each duty cycle: publishes the figures once draining. */
    void publish(final Admission admission, final ClientOutlets clients)
    {
        if (draining)
        {
            unanswered.lazySet(admission.requests() + clients.heldAnswers());
            lastRequestNs.lazySet(admission.lastRequestNs());
        }
    }

    /** Requests admitted and not yet answered, answers held for slow clients included; -1 before the drain. */
    int unanswered()
    {
        return unanswered.get();
    }

    /** When the last request came, refused or not, on the gateway's clock; 0 before any. */
    long lastRequestNs()
    {
        return lastRequestNs.get();
    }
}
