package dev.switchyard.gateway.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group forming on a manual clock, without a router or a network: the groups {@link GroupFormer}
 * closes are recorded, and a slot comes free only when the test releases it.
 */
class GroupFormingTest
{
    private static final int D = 2;
    private static final int G = 4;
    private static final int E = 4;
    private static final long MAX_WAIT_MICROS = 200;
    private static final long MAX_WAIT_NS = TimeUnit.MICROSECONDS.toNanos(MAX_WAIT_MICROS);
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    private final CachedNanoClock clock = new CachedNanoClock();
    private final List<GroupSlot> closed = new ArrayList<>();
    private final List<Long> closedFor = new ArrayList<>();
    private Admission admission;
    private RequestQueue requests;
    private GroupPool pool;
    private GroupFormer former;

    private void form(final int slots)
    {
        final GatewaySettings settings = GatewaySettings.defaults().withGrouping(MAX_WAIT_MICROS, false);
        admission = new Admission(settings, ClientPolicy.defaults());
        requests = new RequestQueue(admission);
        pool = new GroupPool(slots, G, D, E);
        former = new GroupFormer(1, G, D, settings, requests, pool, group ->
        {
            closed.add(group);
            closedFor.add(group.segRequest[0].clientId);
        });
        clock.update(TimeUnit.SECONDS.toNanos(100));
    }

    /** Admits a request of {@code rows} tokens of layer 0 now, as the intake does. */
    private PendingRequest admit(final long clientId, final long requestId, final int rows, final boolean apart)
    {
        final long now = clock.nanoTime();
        final WholeRequest whole = admission.open(clientId, requestId, 0, rows, rows, 0, now, now + DEADLINE_NS);
        assertTrue(whole.admitted());
        admission.arrive(whole, rows);
        final PendingRequest request = requests.take();
        request.reset(clientId, requestId, 0, rows, D);
        request.whole = whole;
        request.keepApart = apart;
        request.arrivalNs = now;
        request.deadlineNs = whole.deadlineNs;
        requests.admit(request);
        return request;
    }

    private int fill()
    {
        return former.fill(clock.nanoTime());
    }

    @Test
    void aSharedGroupClosesAtMaxWaitAfterItsFirstTokenNotBefore()
    {
        form(4);
        final long first = clock.nanoTime();
        admit(1, 1, 1, false);
        fill();
        assertEquals(0, closed.size(), "one token of " + G + ": the group stays open");

        // A later token joins the open group; it does not restart the group's wait.
        clock.advance(MAX_WAIT_NS * 3 / 4);
        admit(2, 1, 1, false);
        fill();
        assertEquals(0, former.closeDue(clock.nanoTime()));

        clock.update(first + MAX_WAIT_NS - 1);
        assertEquals(0, former.closeDue(clock.nanoTime()), "not before max-wait");
        assertEquals(0, closed.size());

        clock.update(first + MAX_WAIT_NS);
        assertEquals(1, former.closeDue(clock.nanoTime()), "max-wait after the first token");
        assertEquals(1, closed.size());
        assertEquals(2, closed.get(0).tokens, "both requests' tokens, in one group");
        assertEquals(first, closed.get(0).openedNs);
        assertEquals(0, former.closeDue(clock.nanoTime() + MAX_WAIT_NS), "closed once");
    }

    @Test
    void aFullSharedGroupClosesAtOnce()
    {
        form(4);
        admit(1, 1, G + 1, false);
        fill();
        assertEquals(1, closed.size(), "the first " + G + " tokens fill a group: it goes without waiting");
        assertEquals(G, closed.get(0).tokens);
        fill();  // its turn was one group's worth: the last token is placed on the next pass
        assertEquals(1, closed.size());
        clock.advance(MAX_WAIT_NS - 1);
        assertEquals(0, former.closeDue(clock.nanoTime()), "the last token waits in a group opened with it");
        clock.advance(1);
        assertEquals(1, former.closeDue(clock.nanoTime()));
        assertEquals(1, closed.get(1).tokens);
    }

    @Test
    void aSmallRequestGetsItsGroupBeforeTheRemainingGroupsOfABurst()
    {
        form(1);  // one slot: every group after the first waits for it to come free
        final long burst = 1;
        final long small = 2;
        for (int r = 1; r <= 4; r++)
        {
            admit(burst, r, G, true);
        }
        fill();
        assertEquals(List.of(burst), closedFor, "the burst came first and takes the only slot");

        clock.advance(TimeUnit.MICROSECONDS.toNanos(10));
        admit(small, 1, G, true);
        assertEquals(0, fill(), "no slot free: nothing is placed");

        // Each freed slot goes to the next turn: the burst's current one, then the small client's,
        // and only then the rest of the burst, however many groups it queued first.
        while (closedFor.size() < 5)
        {
            pool.release(closed.get(closed.size() - 1));
            clock.advance(TimeUnit.MICROSECONDS.toNanos(10));
            assertEquals(1, fill(), "a freed slot is used at once");
        }
        assertEquals(List.of(burst, burst, small, burst, burst), closedFor);
        assertEquals(G, closed.get(2).tokens);
    }
}
