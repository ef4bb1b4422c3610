package dev.switchyard.gateway.dispatch;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicaHedgeTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void hedgesAfterTheSmoothedRoundTripPlusFourDeviations()
    {
        final ReplicaHedge hedge = new ReplicaHedge(2000 * MS);
        assertEquals(50 * MS, hedge.afterNs(), "before any answer");
        hedge.observe(20 * MS);
        assertEquals(60 * MS, hedge.afterNs(), "first sample: 20 + 4 * 10");
        for (int i = 0; i < 200; i++)
        {
            hedge.observe(20 * MS);
        }
        assertTrue(Math.abs(hedge.afterNs() - 20 * MS) < MS, "steady round trips: " + hedge.afterNs());
        hedge.observe(100 * MS);
        assertTrue(hedge.afterNs() > 100 * MS, "a slow answer widens the margin: " + hedge.afterNs());
    }

    @Test
    void staysWithinItsFloorAndCap()
    {
        final ReplicaHedge hedge = new ReplicaHedge(30 * MS);
        for (int i = 0; i < 100; i++)
        {
            hedge.observe(10_000);
        }
        assertEquals(5 * MS, hedge.afterNs());
        hedge.observe(10_000 * MS);
        assertEquals(30 * MS, hedge.afterNs());
    }
}
