package dev.switchyard.gateway.dispatch;

import java.util.Arrays;

import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.routing.gating.Top2Gating;
import dev.switchyard.routing.plan.Combine;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group that holds one request's rows reads them, and combines its replies, where that request
 * holds them: bit for bit what {@link Combine} computes, read from the reply frame. A reply that
 * comes after the request was answered, its slot handed to the next request, writes nothing there.
 */
class InPlaceCombineTest
{
    private static final int D = 4;
    private static final int G = 4;
    private static final int E = 4;
    private static final RoutingConfig ROUTING =
        new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L);

    @Test
    void aReplyIsCombinedIntoTheRequestsOwnRows()
    {
        final PendingRequest request = request();
        final GroupPool pool = new GroupPool(2, G, D, E);
        final GroupSlot group = keptApart(pool, request);
        assertSame(request.x, group.input, "gating and dispatch read the request's rows");
        final float[] rows = rows(group);

        combiner(pool).onFragment(reply(group, rows), 0, frameLength(group), null);

        final float[] expected = new float[G * D];
        Combine.accumulate(group.plan, 0, rows, D, expected, 0);
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(request.y[i]), "value " + i);
        }
        assertTrue(group.received[0]);
    }

    @Test
    void aReplyForARequestAnsweredAlreadyLeavesItsSlotsNextRequestAlone()
    {
        final PendingRequest request = request();
        final GroupPool pool = new GroupPool(2, G, D, E);
        final GroupSlot group = keptApart(pool, request);
        final float[] rows = rows(group);
        request.reset(2, 9, 0, G, D);  // answered (timed out), its slot taken by the next request
        Arrays.fill(request.y, 7f);

        combiner(pool).onFragment(reply(group, rows), 0, frameLength(group), null);

        for (int i = 0; i < G * D; i++)
        {
            assertEquals(7f, request.y[i], "value " + i + " of the next request");
        }
        assertTrue(group.received[0], "the part still counts as answered");
    }

    private static PendingRequest request()
    {
        final PendingRequest request = new PendingRequest();
        request.reset(1, 1, 0, G, D);
        for (int i = 0; i < G * D; i++)
        {
            request.x[i] = i;
        }
        return request;
    }

    /** A kept-apart group of the request's G rows, routed, expert 0's block sent; another part still out. */
    private static GroupSlot keptApart(final GroupPool pool, final PendingRequest request)
    {
        final GroupSlot group = pool.borrow();
        group.open(1, 0, true, 0);
        group.useRowsOf(request, 0, true);
        group.addSegment(request, 0, G, request.touchGroup());
        for (int t = 0; t < G; t++)
        {
            group.gates[t * E] = 0.7f - 0.1f * t;
            group.gates[t * E + 1] = 0.3f + 0.1f * t;
        }
        new Top2Gating(ROUTING, E, G).route(group.gates, G, null, 0, 0, group.plan);
        group.open = false;
        group.split(0, group.plan.slotCount(0), 1);
        group.sent[0] = true;
        group.outstanding = 2;
        return group;
    }

    /** Expert 0's result rows, [slots, d]. */
    private static float[] rows(final GroupSlot group)
    {
        final float[] rows = new float[group.partRows[0] * D];
        for (int i = 0; i < rows.length; i++)
        {
            rows[i] = 0.5f + i / 3f;
        }
        return rows;
    }

    private static int frameLength(final GroupSlot group)
    {
        return (int)WireLayout.blockFrameLength(group.partRows[0], D);
    }

    private static UnsafeBuffer reply(final GroupSlot group, final float[] rows)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frameLength(group)]);
        new ExpertBlockFrame().write(buffer, 0, group.wireId(0), 0, 0, 0, 0, group.partRows[0], D, BlockStatus.OK,
            rows, 0);
        return buffer;
    }

    private static ReplyCombiner combiner(final GroupPool pool)
    {
        return new ReplyCombiner(D, E, pool, null, null, new GatewayMetrics(1, E), new CachedNanoClock());
    }
}
