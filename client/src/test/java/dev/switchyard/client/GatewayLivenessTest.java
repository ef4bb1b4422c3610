package dev.switchyard.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's liveness checks on a manual clock: losing the gateway to silence or to a lost
 * connection, and winning it back, at the times the contract names and no sooner.
 */
class GatewayLivenessTest
{
    private static final long GATEWAY_TIMEOUT_MS = 1_000;
    private static final long HEARTBEAT_MS = 100;
    /** How often the receiving thread reads the clock here: well below the liveness checks' interval. */
    private static final long STEP_MS = 10;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final FakeLink link = new FakeLink();
    private final List<String> losses = new ArrayList<>();
    private final GatewayLiveness liveness = new GatewayLiveness(clock,
        TimeUnit.MILLISECONDS.toNanos(GATEWAY_TIMEOUT_MS), link, losses::add);

    /** The way to the gateway as the test sets it, and the hellos said on it. */
    private static final class FakeLink implements GatewayLiveness.Link
    {
        boolean wayThere = true;
        boolean wayBack = true;
        int hellos;

        @Override
        public boolean wayThere()
        {
            return wayThere;
        }

        @Override
        public boolean wayBack()
        {
            return wayBack;
        }

        @Override
        public void sayHello()
        {
            hellos++;
        }

        @Override
        public String channel()
        {
            return "aeron:udp?endpoint=gateway:40123";
        }
    }

    /** Welcomed at time 0 by a gateway that sends heartbeats every {@link #HEARTBEAT_MS} over UDP. */
    private void welcomed()
    {
        liveness.advance();
        liveness.heard();
        liveness.watch(true, HEARTBEAT_MS);
    }

    /** Runs the receiving thread for {@code ms}, hearing a heartbeat every {@code heartbeatMs} (0: none). */
    private void run(final long ms, final long heartbeatMs)
    {
        for (long t = STEP_MS; t <= ms; t += STEP_MS)
        {
            clock.advance(TimeUnit.MILLISECONDS.toNanos(STEP_MS));
            liveness.advance();
            if (heartbeatMs > 0 && t % heartbeatMs == 0)
            {
                liveness.heardHeartbeat();
            }
            liveness.check();
        }
    }

    private void run(final long ms)
    {
        run(ms, 0);
    }

    @Test
    void silentGatewayIsLostAfterItsSilenceLimitNotBefore()
    {
        welcomed();
        final long limitMs = TimeUnit.NANOSECONDS.toMillis(liveness.silenceLimitNs());
        assertEquals(5_000, limitMs, "peer timeout 2 s + gateway timeout 1 s + grace 2 s");

        run(limitMs - 2 * STEP_MS);
        assertNull(liveness.lost(), "silent for less than its limit");
        assertTrue(losses.isEmpty());

        run(4 * STEP_MS);
        assertNotNull(liveness.lost(), "silent beyond its limit");
        assertTrue(liveness.lost().contains("stopped serving"), liveness.lost());
        assertEquals(List.of(liveness.lost()), losses, "the requests in flight are ended once");
    }

    @Test
    void heartbeatsKeepTheGateway()
    {
        welcomed();
        run(3 * TimeUnit.NANOSECONDS.toMillis(liveness.silenceLimitNs()), HEARTBEAT_MS);
        assertNull(liveness.lost());
        assertEquals(3 * 5_000 / HEARTBEAT_MS, liveness.heartbeats());
        assertEquals(0, link.hellos, "no hello while the gateway serves");
    }

    @Test
    void silenceOverIpcLosesNothing()
    {
        liveness.advance();
        liveness.heard();
        liveness.watch(false, HEARTBEAT_MS);
        run(3 * TimeUnit.NANOSECONDS.toMillis(liveness.silenceLimitNs()));
        assertNull(liveness.lost(), "over IPC a delayed gateway thread is no stopped gateway");
    }

    @Test
    void pauseOfTheClientsOwnProcessIsNotTheGatewaysSilence()
    {
        welcomed();
        // The whole process stood still for a minute: one reading counts it as at most a second.
        clock.advance(TimeUnit.SECONDS.toNanos(60));
        run(STEP_MS);
        assertNull(liveness.lost());
    }

    @Test
    void disconnectionShorterThanTheGatewayTimeoutLosesNothing()
    {
        welcomed();
        link.wayBack = false;
        run(GATEWAY_TIMEOUT_MS - 10 * STEP_MS, HEARTBEAT_MS);
        link.wayBack = true;
        run(3 * GATEWAY_TIMEOUT_MS, HEARTBEAT_MS);
        assertNull(liveness.lost(), "a connection back within the gateway timeout");

        link.wayThere = false;
        run(GATEWAY_TIMEOUT_MS - 4 * STEP_MS, HEARTBEAT_MS);
        assertNull(liveness.lost(), "down for less than the gateway timeout");
        run(10 * STEP_MS, HEARTBEAT_MS);
        assertNotNull(liveness.lost(), "down for the gateway timeout, heartbeats or not");
        assertTrue(liveness.lost().contains("connection to the gateway"), liveness.lost());
        assertEquals(1, losses.size());
    }

    @Test
    void lostGatewayIsWonBackByAHeartbeatAfterTheLossOverAConnectionUpBothWays()
    {
        welcomed();
        run(TimeUnit.NANOSECONDS.toMillis(liveness.silenceLimitNs()) + 4 * STEP_MS);
        assertNotNull(liveness.lost());

        run(2_000);
        assertNotNull(liveness.lost(), "connected both ways, but nothing heard since the loss");

        link.wayBack = false;
        liveness.heardHeartbeat();
        run(2_000);
        assertNotNull(liveness.lost(), "heard, but the way back is down");

        link.wayBack = true;
        run(2 * GatewayLiveness.CHECK_INTERVAL_NS / 1_000_000);
        assertNull(liveness.lost(), "heard after the loss over a connection up both ways");
        assertEquals(1, losses.size());

        run(2_000, HEARTBEAT_MS);
        assertNull(liveness.lost(), "served again");
    }

    @Test
    void helloIsSaidEvery500MsWhileLost()
    {
        welcomed();
        // The first check beyond the silence limit, 20 ms after it, loses the gateway.
        run(TimeUnit.NANOSECONDS.toMillis(liveness.silenceLimitNs()) + 2 * STEP_MS);
        assertNotNull(liveness.lost());
        final int before = link.hellos;
        assertEquals(0, before, "no hello before the loss");

        // Checked every 20 ms, a hello goes out at the first check more than 500 ms after the last.
        final long everyMs = TimeUnit.NANOSECONDS.toMillis(GatewayLiveness.REHELLO_INTERVAL_NS) +
            TimeUnit.NANOSECONDS.toMillis(GatewayLiveness.CHECK_INTERVAL_NS);
        run(everyMs - 2 * STEP_MS);
        assertEquals(0, link.hellos, "none within 500 ms of the loss");
        run(2 * STEP_MS);
        assertEquals(1, link.hellos);
        run(4 * everyMs);
        assertEquals(5, link.hellos, "one every 500 ms");

        link.wayThere = false;
        run(3 * everyMs);
        assertEquals(5, link.hellos, "none while the way there is down");
    }
}
