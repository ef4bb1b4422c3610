package dev.switchyard.dataplane;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A ring ends the poller's park at once; without one the park runs its course. */
class DoorbellTest
{
    private static final long LONG_PARK_NS = TimeUnit.SECONDS.toNanos(20);

    @Test
    void ringingWakesTheAttachedPollerFromALongPark() throws Exception
    {
        final Doorbell bell = new Doorbell();
        final CountDownLatch attached = new CountDownLatch(1);
        final AtomicLong wokenAfterNs = new AtomicLong(-1);
        final Thread poller = new Thread(() ->
        {
            bell.attach();
            attached.countDown();
            final long start = System.nanoTime();
            LockSupport.parkNanos(LONG_PARK_NS);
            wokenAfterNs.set(System.nanoTime() - start);
        });
        poller.start();
        assertTrue(attached.await(10, TimeUnit.SECONDS));
        Thread.sleep(100);
        bell.ring();
        poller.join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(wokenAfterNs.get() >= 0 && wokenAfterNs.get() < TimeUnit.SECONDS.toNanos(5),
            "poller parked " + wokenAfterNs.get() + " ns");
    }

    @Test
    void theDriversIdleStrategyAttachesItsThread() throws Exception
    {
        final Doorbell bell = new Doorbell();
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(new SleepingMillisIdleStrategy(1), bell);
        final AtomicLong wokenAfterNs = new AtomicLong(-1);
        final Thread driver = new Thread(() ->
        {
            idle.idle(0);
            final long start = System.nanoTime();
            LockSupport.parkNanos(LONG_PARK_NS);
            wokenAfterNs.set(System.nanoTime() - start);
        });
        driver.start();
        Thread.sleep(100);
        bell.ring();
        driver.join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(wokenAfterNs.get() >= 0 && wokenAfterNs.get() < TimeUnit.SECONDS.toNanos(5),
            "driver thread parked " + wokenAfterNs.get() + " ns");
    }
}
