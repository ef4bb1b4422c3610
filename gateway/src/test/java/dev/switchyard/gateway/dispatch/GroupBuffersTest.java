package dev.switchyard.gateway.dispatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool of group slots holds row buffers for the rows its groups have held, not for every slot at the
 * full group size: at DeepSeek-V3's d 7168 with 9 staged terms a token, 64 slots of 256 rows would be
 * 4.8 GiB of heap before the first request.
 */
class GroupBuffersTest
{
    private static final int SLOTS = 4;
    private static final int G = 256;
    private static final int D = 64;
    private static final int E = 8;
    private static final int ENTRIES = 9;

    @Test
    void aFreshPoolHoldsNoRowBuffers()
    {
        final GroupPool pool = new GroupPool(SLOTS, G, D, E);
        for (final GroupSlot slot : pool.slots())
        {
            assertEquals(0, slot.x.length + slot.y.length, "slot " + slot.index);
        }
        assertEquals(0, new GroupSlot(0, G, D, E, ENTRIES, true).terms.length);
    }

    @Test
    void theSlotReleasedLastIsLentFirst()
    {
        final GroupPool pool = new GroupPool(SLOTS, G, D, E);
        final GroupSlot a = pool.borrow();
        final GroupSlot b = pool.borrow();
        a.open(1, 0, false, 0);
        b.open(2, 0, false, 0);
        pool.release(a);
        pool.release(b);
        assertSame(b, pool.borrow());
        assertSame(a, pool.borrow());
    }

    @Test
    void buffersGrowToTheRowsHeldAndAreKeptForTheNextGroup()
    {
        final GroupSlot first = new GroupSlot(0, G, D, E, ENTRIES, true);
        first.open(1, 0, false, 0);
        for (int row = 1; row <= 8; row++)  // a decode step's rows arrive one at a time
        {
            first.reserveRows(row);
            first.tokens = row;
        }
        first.reserveOutputs();
        assertEquals(16 * D, first.x.length, "grown once, to 16 rows");
        assertEquals(16 * D, first.y.length);
        assertEquals(ENTRIES * 16 * D, first.terms.length);
        assertSame(first.x, first.input);
        assertSame(first.y, first.output);
        final float[] x = first.x;
        final float[] y = first.y;
        first.release();

        final GroupSlot next = first;
        next.open(2, 0, false, 0);
        next.reserveRows(12);
        next.tokens = 12;
        next.reserveOutputs();
        assertSame(x, next.x, "no new buffer for fewer rows than held");
        assertSame(y, next.y);
        assertSame(x, next.input);

        next.reserveRows(G / 2 + 1);
        next.reserveRows(G);
        next.tokens = G;
        next.reserveOutputs();
        assertEquals(G * D, next.x.length, "never past the group size");
        assertEquals(G * D, next.y.length);
        assertEquals(ENTRIES * G * D, next.terms.length);
        assertSame(next.y, next.output);
    }

    @Test
    void anExactModeGroupCombiningInItsRequestGrowsNoRows()
    {
        final GroupSlot slot = new GroupSlot(0, G, D, E);
        final PendingRequest request = new PendingRequest();
        request.reset(1, 1, 0, 8, D);
        slot.open(1, 0, true, 0);
        slot.useRowsOf(request, 0, true);
        slot.tokens = 8;
        slot.reserveOutputs();
        assertEquals(0, slot.x.length + slot.y.length);
        assertTrue(slot.combinesInPlace());
        assertSame(request.y, slot.output);
    }
}
