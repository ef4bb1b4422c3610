package dev.switchyard.compute.kernel;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Threads that help with one large compute call: the calling thread always works, and idle pool threads
 * join it. A pool of parallelism P has P − 1 daemon threads named {@code switchyard-compute-N}; the caller
 * is the P-th. Several callers may run at once: each gets the threads that are idle when it starts (possibly
 * none), so a busy pool degrades to more work on the callers rather than to queueing. Below
 * {@link #parallelThreshold()} multiply-adds a call stays on the caller's thread: waking a thread costs
 * more than such a call.
 */
public final class ComputePool implements AutoCloseable
{
    /** Multiply-adds below which a call stays on its thread (a few tens of microseconds of work). */
    public static final long DEFAULT_PARALLEL_THRESHOLD = 1L << 20;

    private static final ComputePool CALLER_ONLY = new ComputePool(1, Long.MAX_VALUE);
    private static final Object SHARED_LOCK = new Object();
    private static volatile ComputePool shared;

    private final Worker[] workers;
    private final int parallelism;
    private final long parallelThreshold;
    private volatile boolean closed;

    private ComputePool(final int parallelism, final long parallelThreshold)
    {
        this.parallelism = parallelism;
        this.parallelThreshold = parallelThreshold;
        workers = new Worker[parallelism - 1];
        for (int i = 0; i < workers.length; i++)
        {
            workers[i] = new Worker(this, i);
        }
        for (final Worker w : workers)
        {
            w.thread.start();
        }
    }

    /** Up to {@code threads} threads per call, the caller included. */
    public static ComputePool ofThreads(final int threads)
    {
        return ofThreads(threads, DEFAULT_PARALLEL_THRESHOLD);
    }

    /**
     * @param threads           threads per call, the caller included (≥ 1)
     * @param parallelThreshold multiply-adds (rows·k·n) from which a call is split over threads
     */
    public static ComputePool ofThreads(final int threads, final long parallelThreshold)
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("compute threads must be at least 1, got " + threads);
        }
        if (parallelThreshold < 0)
        {
            throw new IllegalArgumentException("parallel threshold must be >= 0, got " + parallelThreshold);
        }
        return new ComputePool(threads, parallelThreshold);
    }

    /** Every call runs on its caller's thread; closing it does nothing. */
    public static ComputePool callerOnly()
    {
        return CALLER_ONLY;
    }

    /** A process-wide pool of one thread per available core, created on first use and never closed. */
    public static ComputePool shared()
    {
        ComputePool pool = shared;
        if (pool == null)
        {
            synchronized (SHARED_LOCK)
            {
                pool = shared;
                if (pool == null)
                {
                    pool = ofThreads(Runtime.getRuntime().availableProcessors());
                    shared = pool;
                }
            }
        }
        return pool;
    }

    public int parallelism()
    {
        return parallelism;
    }

    public long parallelThreshold()
    {
        return parallelThreshold;
    }

    /** How many threads a call of {@code multiplyAdds} should be split over. */
    public int threadsFor(final long multiplyAdds)
    {
        return multiplyAdds < parallelThreshold || closed ? 1 : parallelism;
    }

    /**
     * Runs chunks 0..chunks-1 of the task, each exactly once, on this thread and on idle pool threads,
     * and returns when all are done. A chunk's exception is rethrown here (the first one).
     */
    public void run(final ParallelTask task, final int chunks)
    {
        task.begin(chunks);
        if (chunks > 1 && !closed)
        {
            int wanted = chunks - 1;
            for (int i = 0; i < workers.length && wanted > 0; i++)
            {
                if (workers[i].offer(task))
                {
                    wanted--;
                }
            }
        }
        task.work();
        task.awaitHelpers();
        final Throwable failure = task.failure();
        if (failure != null)
        {
            if (failure instanceof RuntimeException re)
            {
                throw re;
            }
            if (failure instanceof Error e)
            {
                throw e;
            }
            throw new IllegalStateException(failure);
        }
    }

    @Override
    public void close()
    {
        if (this == CALLER_ONLY || this == shared)
        {
            return;
        }
        closed = true;
        for (final Worker w : workers)
        {
            LockSupport.unpark(w.thread);
        }
    }

    private static final class Worker implements Runnable
    {
        private final ComputePool pool;
        private final AtomicReference<ParallelTask> assigned = new AtomicReference<>();
        private final Thread thread;

        Worker(final ComputePool pool, final int index)
        {
            this.pool = pool;
            thread = new Thread(this, "switchyard-compute-" + (index + 1));
            thread.setDaemon(true);
        }

        /** Takes the task if this thread is idle. */
        boolean offer(final ParallelTask task)
        {
            task.helperJoining();
            if (assigned.compareAndSet(null, task))
            {
                LockSupport.unpark(thread);
                return true;
            }
            task.helperLeft();
            return false;
        }

        @Override
        public void run()
        {
            while (true)
            {
                final ParallelTask task = assigned.get();
                if (task == null)
                {
                    if (pool.closed)
                    {
                        return;
                    }
                    LockSupport.park(this);
                    continue;
                }
                task.work();
                task.helperLeft();
                assigned.set(null);
            }
        }
    }
}
