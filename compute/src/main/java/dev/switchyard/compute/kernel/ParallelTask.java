package dev.switchyard.compute.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Work split into numbered chunks that a {@link ComputePool} runs on the caller and on idle pool threads.
 * A task object is reused call after call (no allocation per call); one task runs one call at a time.
 * Which thread runs a chunk is left to chance, so a chunk's result must not depend on it.
 */
public abstract class ParallelTask
{
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger helpers = new AtomicInteger();
    private int chunks;
    private volatile Thread waiter;
    private volatile Throwable failure;

    /** Runs chunk {@code chunk} of the current call, on whatever thread claimed it. */
    protected abstract void runChunk(int chunk);

    final void begin(final int chunkCount)
    {
        chunks = chunkCount;
        nextChunk.set(0);
        helpers.set(0);
        failure = null;
        waiter = Thread.currentThread();
    }

    final int chunkCount()
    {
        return chunks;
    }

    /** Claims and runs chunks until none is left; records the first failure instead of throwing. */
    final void work()
    {
        int chunk;
        while ((chunk = nextChunk.getAndIncrement()) < chunks)
        {
            try
            {
                runChunk(chunk);
            }
            catch (final Throwable t)
            {
                if (failure == null)
                {
                    failure = t;
                }
                nextChunk.set(chunks);
            }
        }
    }

    final void helperJoining()
    {
        helpers.incrementAndGet();
    }

    /** Called by a pool thread once it is done with this call; it must not touch the task afterwards. */
    final void helperLeft()
    {
        if (helpers.decrementAndGet() == 0)
        {
            LockSupport.unpark(waiter);
        }
    }

    /** The caller waits until every pool thread that joined this call has left it. */
    final void awaitHelpers()
    {
        for (int spins = 0; helpers.get() != 0; spins++)
        {
            if (spins < 256)
            {
                Thread.onSpinWait();
            }
            else
            {
                LockSupport.park(this);
            }
        }
    }

    final Throwable failure()
    {
        return failure;
    }
}
