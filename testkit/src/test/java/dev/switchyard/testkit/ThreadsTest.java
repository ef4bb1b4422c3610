package dev.switchyard.testkit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadsTest
{
    @Test
    void returnsWhenTheThreadEnds()
    {
        final Thread thread = new Thread(() -> { }, "quick");
        thread.start();
        Threads.joinOrFail(thread, Duration.ofSeconds(10));
        assertFalse(thread.isAlive());
    }

    @Test
    void failsNamingTheThreadAndWhereItIsWhenItRunsOn() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final Thread thread = new Thread(() ->
        {
            try
            {
                release.await();
            }
            catch (final InterruptedException ignored)
            {
                Thread.currentThread().interrupt();
            }
        }, "stuck");
        thread.start();
        try
        {
            final AssertionError error = assertThrows(AssertionError.class,
                () -> Threads.joinOrFail(thread, Duration.ofMillis(50)));
            assertTrue(error.getMessage().startsWith("stuck still running after 50 ms"), error.getMessage());
            assertTrue(error.getMessage().contains("CountDownLatch.await"), error.getMessage());
        }
        finally
        {
            release.countDown();
            thread.join();
        }
    }
}
