package dev.switchyard.compute.kernel;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import dev.switchyard.testkit.Threads;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComputePoolTest
{
    /** Counts how often each chunk ran and on which threads. */
    private static final class CountingTask extends ParallelTask
    {
        final AtomicIntegerArray runs;
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        CountingTask(final int chunks)
        {
            runs = new AtomicIntegerArray(chunks);
        }

        @Override
        protected void runChunk(final int chunk)
        {
            runs.incrementAndGet(chunk);
            threads.add(Thread.currentThread().getName());
            long spin = 0;
            for (int i = 0; i < 20_000; i++)
            {
                spin += i * (long)chunk;
            }
            if (spin == -1)
            {
                throw new AssertionError();
            }
        }
    }

    @Test
    void runsEveryChunkExactlyOnceOnNamedDaemonThreads() throws Exception
    {
        try (ComputePool pool = ComputePool.ofThreads(3))
        {
            assertEquals(3, pool.parallelism());
            for (int call = 0; call < 200; call++)
            {
                final CountingTask task = new CountingTask(64);
                pool.run(task, 64);
                for (int c = 0; c < 64; c++)
                {
                    assertEquals(1, task.runs.get(c), "chunk " + c + " of call " + call);
                }
                for (final String name : task.threads)
                {
                    assertTrue(name.equals(Thread.currentThread().getName()) || name.matches("switchyard-compute-[12]"), name);
                }
            }
            final Thread[] all = new Thread[Thread.activeCount() + 8];
            final int count = Thread.enumerate(all);
            int workers = 0;
            for (int i = 0; i < count; i++)
            {
                if (all[i].getName().startsWith("switchyard-compute-"))
                {
                    assertTrue(all[i].isDaemon(), all[i].getName());
                    workers++;
                }
            }
            assertTrue(workers >= 2, "pool threads found: " + workers);
        }
    }

    @Test
    void aReusedTaskRunsEachCallCompletely()
    {
        try (ComputePool pool = ComputePool.ofThreads(2, 0))
        {
            final CountingTask task = new CountingTask(10);
            for (int call = 1; call <= 500; call++)
            {
                pool.run(task, 10);
                for (int c = 0; c < 10; c++)
                {
                    assertEquals(call, task.runs.get(c));
                }
            }
        }
    }

    @Test
    void concurrentCallersEachGetAllTheirChunks() throws Exception
    {
        try (ComputePool pool = ComputePool.ofThreads(2))
        {
            final int callers = 4;
            final CountDownLatch start = new CountDownLatch(1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread[] threads = new Thread[callers];
            for (int t = 0; t < callers; t++)
            {
                threads[t] = new Thread(() ->
                {
                    try
                    {
                        start.await();
                        final CountingTask task = new CountingTask(16);
                        for (int call = 1; call <= 100; call++)
                        {
                            pool.run(task, 16);
                            for (int c = 0; c < 16; c++)
                            {
                                if (task.runs.get(c) != call)
                                {
                                    throw new AssertionError("chunk " + c + " ran " + task.runs.get(c) + " times in " + call + " calls");
                                }
                            }
                        }
                    }
                    catch (final Throwable e)
                    {
                        failure.compareAndSet(null, e);
                    }
                });
                threads[t].start();
            }
            start.countDown();
            for (final Thread t : threads)
            {
                Threads.joinOrFail(t, Duration.ofSeconds(60));
            }
            if (failure.get() != null)
            {
                throw new AssertionError(failure.get());
            }
        }
    }

    @Test
    void aChunkFailureReachesTheCaller()
    {
        try (ComputePool pool = ComputePool.ofThreads(2))
        {
            final IllegalStateException boom = new IllegalStateException("chunk 5 failed");
            final ParallelTask task = new ParallelTask()
            {
                @Override
                protected void runChunk(final int chunk)
                {
                    if (chunk == 5)
                    {
                        throw boom;
                    }
                }
            };
            assertSame(boom, assertThrows(IllegalStateException.class, () -> pool.run(task, 8)));
            final CountingTask next = new CountingTask(8);
            pool.run(next, 8);
            for (int c = 0; c < 8; c++)
            {
                assertEquals(1, next.runs.get(c));
            }
        }
    }

    @Test
    void callerOnlyAndThresholdKeepWorkOnTheCaller()
    {
        final CountingTask task = new CountingTask(8);
        ComputePool.callerOnly().run(task, 8);
        assertEquals(Set.of(Thread.currentThread().getName()), task.threads);
        try (ComputePool pool = ComputePool.ofThreads(4, 1000))
        {
            assertEquals(1, pool.threadsFor(999));
            assertEquals(4, pool.threadsFor(1000));
        }
        assertEquals(1, ComputePool.callerOnly().threadsFor(Long.MAX_VALUE - 1));
        assertThrows(IllegalArgumentException.class, () -> ComputePool.ofThreads(0));
    }

    @Test
    void aClosedPoolStillRunsCallsOnTheCaller()
    {
        final ComputePool pool = ComputePool.ofThreads(3, 0);
        pool.close();
        final CountingTask task = new CountingTask(6);
        pool.run(task, 6);
        for (int c = 0; c < 6; c++)
        {
            assertEquals(1, task.runs.get(c));
        }
        assertEquals(1, pool.threadsFor(1L << 40));
    }
}
