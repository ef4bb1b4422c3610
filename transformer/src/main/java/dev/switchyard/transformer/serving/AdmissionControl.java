package dev.switchyard.transformer.serving;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who may run, shared by the submitting threads and the engine thread: the sequences holding room (running or
 * about to be prefilled), their key/value positions, and the bounded queue behind them. Room goes first come
 * first served: a waiting request is not overtaken by a later, smaller one.
 */
final class AdmissionControl
{
    private final EngineLimits limits;
    private final EngineObserver observer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Running> waiting = new ArrayDeque<>(); // guarded by lock
    private final List<Running> admitted = new ArrayList<>();       // guarded by lock: to prefill
    private long reserved;   // guarded by lock: positions held by admitted and running sequences
    private int holding;     // guarded by lock: admitted and running sequences
    private long submitted;  // guarded by lock
    private boolean closed;  // guarded by lock

    /** What the engine takes at a step boundary: sequences to prefill, waiting ones cancelled meanwhile. */
    record Taken(List<Running> fresh, List<Running> cancelled)
    {
    }

    AdmissionControl(final EngineLimits limits, final EngineObserver observer)
    {
        this.limits = limits;
        this.observer = observer;
    }

    Admission offer(final SequenceRequest request, final SequenceListener listener)
    {
        lock.lock();
        try
        {
            if (closed)
            {
                return new Admission.Overloaded("the engine is closed");
            }
            final Running r = new Running(request, listener, new SequenceHandle(++submitted, this::wake));
            if (waiting.isEmpty() && fits(r))
            {
                admit(r);
            }
            else if (waiting.size() < limits.maxQueued())
            {
                waiting.add(r);
            }
            else
            {
                return new Admission.Overloaded("overloaded: " + holding + " sequences running and " +
                    waiting.size() + " waiting (at most " + limits.maxRunning() + " and " + limits.maxQueued() + ")");
            }
            work.signal();
            return new Admission.Accepted(r.handle);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Waits, unless {@code busy}, until there is something to do; null once closed.
     *
     * @param busy whether sequences are running (then the engine must not wait)
     */
    Taken take(final boolean busy)
    {
        lock.lock();
        try
        {
            while (!closed && !busy && admitted.isEmpty() && !anyCancelled())
            {
                work.awaitUninterruptibly();
            }
            if (closed)
            {
                return null;
            }
            final List<Running> cancelled = new ArrayList<>();
            for (final Iterator<Running> i = waiting.iterator(); i.hasNext();)
            {
                final Running r = i.next();
                if (r.handle.cancelled())
                {
                    i.remove();
                    cancelled.add(r);
                }
            }
            final Taken taken = new Taken(new ArrayList<>(admitted), cancelled);
            admitted.clear();
            return taken;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** A sequence ended: frees its room and admits waiting requests that now fit. */
    void release(final Running r)
    {
        lock.lock();
        try
        {
            holding--;
            reserved -= r.request.positions();
            while (!closed && !waiting.isEmpty() && fits(waiting.peek()))
            {
                admit(waiting.poll());
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Refuses new requests from now on and wakes the engine; returns those not yet running. */
    List<Running> close()
    {
        lock.lock();
        try
        {
            closed = true;
            work.signal();
            final List<Running> left = new ArrayList<>(admitted);
            left.addAll(waiting);
            admitted.clear();
            waiting.clear();
            return left;
        }
        finally
        {
            lock.unlock();
        }
    }

    private boolean fits(final Running r)
    {
        return holding < limits.maxRunning() && reserved + r.request.positions() <= limits.tokenBudget();
    }

    private void admit(final Running r)
    {
        holding++;
        reserved += r.request.positions();
        admitted.add(r);
        observer.admitted(System.nanoTime() - r.submittedNanos);
    }

    private boolean anyCancelled()
    {
        for (final Running r : waiting)
        {
            if (r.handle.cancelled())
            {
                return true;
            }
        }
        return false;
    }

    private void wake()
    {
        lock.lock();
        try
        {
            work.signal();
        }
        finally
        {
            lock.unlock();
        }
    }
}
