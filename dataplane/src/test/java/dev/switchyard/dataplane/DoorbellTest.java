package dev.switchyard.dataplane;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.switchyard.testkit.Await;
import dev.switchyard.testkit.Threads;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A ring ends the poller's park at once; without one the park runs its course. */
class DoorbellTest
{
    private static final long LONG_PARK_NS = TimeUnit.SECONDS.toNanos(20);

    @Test
    void ringingWakesTheAttachedPollerFromALongPark()
    {
        final Doorbell bell = new Doorbell();
        final AtomicBoolean parking = new AtomicBoolean();
        final AtomicLong wokenAfterNs = new AtomicLong(-1);
        final Thread poller = new Thread(() ->
        {
            bell.attach();
            parkLong(parking, wokenAfterNs);
        }, "poller");
        poller.start();
        awaitParked(poller, parking);
        bell.ring();
        Threads.joinOrFail(poller, Duration.ofSeconds(10));
        assertTrue(wokenAfterNs.get() >= 0 && wokenAfterNs.get() < TimeUnit.SECONDS.toNanos(5),
            "poller parked " + wokenAfterNs.get() + " ns");
    }

    @Test
    void theDriversIdleStrategyAttachesItsThread()
    {
        final Doorbell bell = new Doorbell();
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(new SleepingMillisIdleStrategy(1), bell);
        final AtomicBoolean parking = new AtomicBoolean();
        final AtomicLong wokenAfterNs = new AtomicLong(-1);
        final Thread driver = new Thread(() ->
        {
            idle.idle(0);
            parkLong(parking, wokenAfterNs);
        }, "driver");
        driver.start();
        awaitParked(driver, parking);
        bell.ring();
        Threads.joinOrFail(driver, Duration.ofSeconds(10));
        assertTrue(wokenAfterNs.get() >= 0 && wokenAfterNs.get() < TimeUnit.SECONDS.toNanos(5),
            "driver thread parked " + wokenAfterNs.get() + " ns");
    }

    private static void parkLong(final AtomicBoolean parking, final AtomicLong wokenAfterNs)
    {
        final long start = System.nanoTime();
        parking.set(true);
        LockSupport.parkNanos(LONG_PARK_NS);
        wokenAfterNs.set(System.nanoTime() - start);
    }

    /**
     * Returns once the thread is in its long park, so that the ring has to wake it: a ring before the park would
     * only leave a permit, and the park would return without having been woken.
     */
    private static void awaitParked(final Thread thread, final AtomicBoolean parking)
    {
        Await.until(() -> parking.get() && thread.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(10),
            () -> thread.getName() + " did not reach its park: " + thread.getState());
    }
}
