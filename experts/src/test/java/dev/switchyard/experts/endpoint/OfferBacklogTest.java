package dev.switchyard.experts.endpoint;

import dev.switchyard.dataplane.Outlet;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.dataplane.DataPlane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.testkit.Await;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real IPC publication whose subscriber stops reading: frames past its window are held, in order,
 * up to the backlog's bound, never waited for; once the subscriber reads again they go out in the
 * order given, and the stall clock runs from the oldest frame held.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OfferBacklogTest
{
    private static final int FRAME = 32 << 10;
    private static final int STREAM = 4711;

    @Test
    void framesPastTheWindowAreHeldInOrderAndSentWhenRoomReturns() throws Exception
    {
        try (DataPlane plane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
                 1 << 20, 1 << 20, 1408));
             Subscription subscription = plane.subscribeIpc(STREAM);
             Outlet outlet = plane.outlet("aeron:ipc", STREAM))
        {
            Await.until(outlet.publication()::isConnected, Duration.ofSeconds(20), () -> "the publication did not connect");
            final FramePool pool = new FramePool(FRAME, 8);
            final OfferBacklog backlog = new OfferBacklog(4);
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME]);
            int sent = 0;
            int next = 0;
            long result;
            // The subscriber does not read: the window (half the 1 MiB term) fills, then frames are held.
            while (true)
            {
                frame.putInt(0, next);
                result = backlog.offer(outlet, pool, frame, 0, FRAME, 1_000 + next);
                if (result != OfferBacklog.QUEUED && result <= 0)
                {
                    break;
                }
                if (result > 0)
                {
                    sent++;
                }
                next++;
                assertTrue(next < 1000, "the publication never filled");
            }
            assertEquals(OfferBacklog.FULL, result);
            assertEquals(4, backlog.size());
            assertEquals(4, pool.held());
            assertEquals(sent + 4, next, "every frame was either sent or held");
            final long firstHeldAt = 1_000 + sent;
            assertFalse(backlog.stuck(firstHeldAt + 10, 10));
            assertTrue(backlog.stuck(firstHeldAt + 11, 10));
            assertEquals(0, backlog.drain(outlet, pool, firstHeldAt + 20), "no room yet");

            final List<Integer> read = new ArrayList<>();
            final int sentInAll = next;
            Await.until(() ->
            {
                subscription.poll((b, o, l, h) -> read.add(b.getInt(o)), 64);
                backlog.drain(outlet, pool, System.nanoTime());
                return read.size() >= sentInAll;
            }, Duration.ofSeconds(20), () -> "read " + read.size() + " of " + sentInAll);
            for (int i = 0; i < next; i++)
            {
                assertEquals(i, read.get(i), "frames out of order");
            }
            assertTrue(backlog.isEmpty());
            assertEquals(0, pool.held(), "every held buffer went back to the pool");
        }
    }
}
