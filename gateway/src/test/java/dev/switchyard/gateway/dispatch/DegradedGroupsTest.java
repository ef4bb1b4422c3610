package dev.switchyard.gateway.dispatch;

import dev.switchyard.routing.plan.RoutingPlan;
import dev.switchyard.wire.sbe.BlockStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A degraded answer must equal {@code infer --local --unavailable-experts} for the experts it names,
 * which holds only when every group of the request was routed without the same experts.
 */
class DegradedGroupsTest
{
    private static final int E = 8;
    private static final int D = 4;
    private static final int G = 2;

    @Test
    void groupsRoutedWithoutTheSameExpertsGiveADegradedAnswerNamingThem()
    {
        final PendingRequest request = request();
        final boolean[] skipped = skipping(5);
        request.skip(skipped);
        finishGroup(request, skipped, 0);
        request.skip(skipped);
        finishGroup(request, skipped, G);
        assertTrue(request.done);
        assertEquals(BlockStatus.DEGRADED, request.status);
        assertEquals("experts 5 of layer 0 could not be reached: computed without them (capacity 0)",
            request.detail);
    }

    @Test
    void anExpertLostBetweenTwoGroupsOfARequestIsAnErrorNamingItNeverAWrongDegradedAnswer()
    {
        final PendingRequest request = request();
        finishGroup(request, skipping(), 0);   // routed while every expert answered
        final boolean[] later = skipping(3, 6);
        request.skip(later);
        finishGroup(request, later, G);        // routed after experts 3 and 6 were lost
        assertTrue(request.done);
        assertEquals(BlockStatus.EXPERT_UNAVAILABLE, request.status);
        assertTrue(request.detail.startsWith("experts 3,6 of layer 0 became unreachable while this request was " +
            "computed"), request.detail);
    }

    @Test
    void aReusedRequestForgetsTheGroupsOfTheLastOne()
    {
        final PendingRequest request = request();
        finishGroup(request, skipping(), 0);
        final boolean[] later = skipping(1);
        request.skip(later);
        finishGroup(request, later, G);
        assertEquals(BlockStatus.EXPERT_UNAVAILABLE, request.status);

        request.reset(1, 2, 0, 2 * G, D);
        finishGroup(request, skipping(), 0);
        finishGroup(request, skipping(), G);
        assertEquals(BlockStatus.OK, request.status);
    }

    private static PendingRequest request()
    {
        final PendingRequest request = new PendingRequest();
        request.reset(1, 1, 0, 2 * G, D);  // two groups of G rows each
        request.whole = new WholeRequest();  // a request of one message
        request.whole.total = 2 * G;
        return request;
    }

    private static void finishGroup(final PendingRequest request, final boolean[] skipped, final int requestRow)
    {
        request.noteGroupSkips(skipped);
        request.accept(new float[G * D], new RoutingPlan(G, E), 0, 0, requestRow, G);
    }

    private static boolean[] skipping(final int... experts)
    {
        final boolean[] skipped = new boolean[E];
        for (final int e : experts)
        {
            skipped[e] = true;
        }
        return skipped;
    }
}
