package dev.switchyard.dataplane;

import java.util.concurrent.locks.LockSupport;

/**
 * Wakes the thread that polls an IPC stream in this process as soon as a message is offered to it.
 * <p>
 * Data-plane threads idle with a backoff strategy that parks up to a millisecond, so that a two-core
 * machine is not spent on spinning; without a wake-up every hop of a request would wait out part of
 * such a park. A co-located publisher rings after each offer instead, and the parked poller runs at
 * once: IPC latency without a spinning core. Across processes there is nothing to ring and the
 * backoff alone decides.
 */
public final class Doorbell
{
    /** For streams whose poller lives elsewhere (UDP, another process). */
    public static final Doorbell NONE = new Doorbell();

    private volatile Thread poller;

    /**
     * The calling thread polls this stream from now on. Cheap to repeat: an idle strategy calls it
     * on every idle turn, and only a change of poller is written.
     */
    public void attach()
    {
        if (this != NONE && poller != Thread.currentThread())
        {
            poller = Thread.currentThread();
        }
    }

    /** The calling thread no longer polls this stream. */
    public void detach()
    {
        if (poller == Thread.currentThread())
        {
            poller = null;
        }
    }

    /** Wakes the poller if it is parked; a poller that is running only loops once more. */
    public void ring()
    {
        final Thread thread = poller;
        if (thread != null && thread != Thread.currentThread())
        {
            LockSupport.unpark(thread);
        }
    }
}
