package dev.switchyard.dataplane;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Liveness by progress, on a manual clock: a pause of the whole process is one step, a stalled driver is dead. */
class DriverLivenessTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aPauseCountsAsOneStep()
    {
        final ProgressClock clock = new ProgressClock(200 * MS, 0);
        assertEquals(100 * MS, clock.advance(100 * MS));
        assertEquals(300 * MS, clock.advance(30_100 * MS), "a 30 s gap counts as the 200 ms step");
        assertEquals(400 * MS, clock.advance(30_200 * MS));
        assertEquals(400 * MS, clock.advance(30_100 * MS), "a clock read out of order never goes back");
    }

    @Test
    void aDriverThatBeatsAfterAPauseIsAlive()
    {
        final AtomicLong beat = new AtomicLong(1);
        final DriverLiveness liveness = new DriverLiveness(beat::get, 5_000, 100, 0);
        long now = 0;
        for (int i = 0; i < 20; i++)
        {
            now += 100 * MS;
            beat.incrementAndGet();
            assertTrue(liveness.alive(now));
        }
        // The process stood still for 30 s; the watcher runs before the driver's thread beats again.
        now += 30_000 * MS;
        assertTrue(liveness.alive(now), "a pause is not the driver's death");
        now += 100 * MS;
        beat.incrementAndGet();
        assertTrue(liveness.alive(now));
    }

    @Test
    void aDriverThatStopsBeatingWhileTheProcessRunsIsDead()
    {
        final AtomicLong beat = new AtomicLong(1);
        final DriverLiveness liveness = new DriverLiveness(beat::get, 5_000, 100, 0);
        long now = 0;
        int checks = 0;
        while (liveness.alive(now))
        {
            now += 100 * MS;
            checks++;
            assertTrue(checks < 100, "a driver silent for 10 s of running time is still alive");
        }
        assertEquals(51, checks, "dead after 5 s of running time without a beat");
        assertFalse(liveness.alive(now + 100 * MS));
    }
}
