package dev.switchyard.experts.endpoint;

import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.dataplane.DataPlane;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchyard.testkit.Await;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An expert endpoint's ways back to gateways, over a real media driver: results a gateway does not
 * take are held, never waited for, and dropped (counted) once they stall; the outlet of a gateway
 * that left is closed, and opened again when its blocks come back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayRepliesTest
{
    private static final int FRAME = 32 << 10;
    private static final int STREAM = 4712;
    private static final long STALL_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long GONE_NS = TimeUnit.SECONDS.toNanos(10);

    @Test
    void stalledResultsAreDroppedAndDepartedGatewaysReleased() throws Exception
    {
        final AtomicLong failures = new AtomicLong();
        try (DataPlane plane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
                 1 << 20, 1 << 20, 1408));
             GatewayReplies replies = new GatewayReplies(plane, 4, FRAME, STALL_NS, GONE_NS, failures))
        {
            final Subscription gateway = plane.subscribeIpc(STREAM);
            long now = 0;
            assertEquals(GatewayReplies.Opened.OPENED, replies.hello(7, "aeron:ipc", STREAM, now));
            assertEquals(GatewayReplies.Opened.KNOWN, replies.hello(7, "aeron:ipc", STREAM, now));
            assertEquals(GatewayReplies.Opened.BAD_CHANNEL, replies.hello(8, "aeron:udp?nothing", STREAM, now));

            // The gateway reads nothing: its window fills and later results are held, not waited for.
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME]);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int i = 0; i < 40; i++)
            {
                final long start = System.nanoTime();
                assertTrue(replies.send(7, frame, 0, FRAME, now), "result " + i + " was dropped");
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "a send waited");
                assertTrue(System.nanoTime() < deadline);
            }
            assertEquals(0, failures.get());
            replies.poll(now + STALL_NS / 2);
            assertEquals(0, failures.get(), "dropped before the stall time");
            replies.poll(now + STALL_NS + 1);
            assertTrue(failures.get() > 0, "results held past the stall time were not dropped");
            final long dropped = failures.get();

            // The gateway leaves: once its outlet has been disconnected past the gone time, it is closed.
            gateway.close();
            now = awaitReleased(replies, now + STALL_NS + 2, "the departed gateway's outlet was not released");
            assertEquals(0, replies.size());
            assertEquals(dropped, failures.get());
            replies.send(7, frame, 0, FRAME, now);
            assertEquals(dropped + 1, failures.get(), "a result for a released gateway is counted");
        }
    }

    @Test
    void aGatewayBackFromAPartitionIsAnsweredAgainWithoutANewHello() throws Exception
    {
        final AtomicLong failures = new AtomicLong();
        try (DataPlane plane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
                 1 << 20, 1 << 20, 1408));
             GatewayReplies replies = new GatewayReplies(plane, 4, FRAME, STALL_NS, GONE_NS, failures))
        {
            // Over IPC: a partition is the gateway's subscription gone, and back on the same channel.
            final Subscription before = plane.subscribeIpc(STREAM);
            final String channel = "aeron:ipc";
            long now = 0;
            assertEquals(GatewayReplies.Opened.OPENED, replies.hello(9, channel, STREAM, now));
            assertEquals(0, replies.reopen(9, now) ? 1 : 0, "a gateway still known is not reopened");

            // Cut off: its reply stream goes; past the gone time the outlet is closed.
            before.close();
            now = awaitReleased(replies, now, "the unreachable gateway's outlet was not released");
            assertTrue(!replies.knows(9));
            assertTrue(!replies.reopen(10, now), "a gateway never seen is not opened by a block");

            // Back, without a hello: its next block opens the way back.
            try (Subscription after = plane.subscribeIpc(STREAM))
            {
                assertTrue(replies.reopen(9, now));
                assertEquals(1, replies.reopened());
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
                frame.putLong(0, 0x5EED);
                assertTrue(replies.send(9, frame, 0, 256, now));
                final long[] got = new long[1];
                final FragmentAssembler reader = new FragmentAssembler((b, o, l, h) -> got[0] = b.getLong(o));
                final long at = now;
                Await.until(() ->
                {
                    replies.poll(at);
                    after.poll(reader, 10);
                    return got[0] == 0x5EED;
                }, Duration.ofSeconds(30), () -> "the result never reached the returned gateway");
            }
        }
    }

    /**
     * Advances the endpoint's clock a quarter of the gone time per poll until it releases an outlet: the outlet goes
     * once the media driver has seen the gateway's stream go and that much time has passed since. Returns the clock.
     */
    private static long awaitReleased(final GatewayReplies replies, final long from, final String message)
    {
        final AtomicLong clock = new AtomicLong(from);
        Await.until(() ->
        {
            if (replies.released() != 0)
            {
                return true;
            }
            replies.poll(clock.addAndGet(GONE_NS / 4));
            return false;
        }, Duration.ofSeconds(30), () -> message);
        return clock.get();
    }
}
