package dev.switchyard.gateway.dispatch;

import java.time.Duration;

import dev.switchyard.wire.sbe.BlockStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admission rule: a request is admitted or refused whole at its first message, its later
 * messages are never refused for capacity, and each (client, caller) has a share of its own.
 */
class AdmissionTest
{
    static final long CLIENT = 7;
    static final long NOW = 1_000_000_000L;
    static final long DEADLINE = NOW + 10_000_000_000L;

    static Admission admission(final int queueRequests, final int queueTokens, final int shareRequests,
        final int shareTokens)
    {
        return new Admission(GatewaySettings.defaults().withQueue(queueRequests, queueTokens),
            new ClientPolicy(Duration.ofSeconds(10), Duration.ofSeconds(2), shareRequests, shareTokens, 512,
                Duration.ofSeconds(2)));
    }

    @Test
    void aRequestIsAdmittedWholeOrRefusedWholeAtItsFirstMessage()
    {
        final Admission admission = admission(16, 50_000, 16, 1 << 20);
        final WholeRequest first = admission.open(1, 1, 0, 20_000, 384, 0, NOW, DEADLINE);
        final WholeRequest second = admission.open(2, 1, 0, 20_000, 384, 0, NOW, DEADLINE);
        final WholeRequest third = admission.open(3, 1, 0, 20_000, 384, 0, NOW, DEADLINE);
        assertTrue(first.admitted());
        assertTrue(second.admitted());
        assertEquals(BlockStatus.OVERLOADED, third.refusal, "40,000 of 50,000 tokens are reserved: 20,000 more do not fit");
        assertTrue(third.refusalDetail.startsWith("gateway queue is full (2 requests, 40000 tokens waiting)"),
            third.refusalDetail);
        assertEquals(2, admission.requests());
        assertEquals(40_000, admission.tokens(), "the whole requests are reserved, not their first messages");
        // A smaller request still fits beside them.
        assertTrue(admission.open(4, 1, 0, 10_000, 384, 0, NOW, DEADLINE).admitted());
    }

    @Test
    void laterMessagesOfAnAdmittedRequestAreNeverRefused()
    {
        final Admission admission = admission(1, 1_000, 1, 1_000);
        final WholeRequest whole = admission.open(CLIENT, 10, 0, 1_000, 400, 0, NOW, DEADLINE);
        admission.arrive(whole, 400);
        assertTrue(whole.admitted());
        // The queue is full: a new request is refused, while the admitted one's parts come in.
        assertEquals(BlockStatus.OVERLOADED, admission.open(CLIENT + 1, 1, 0, 1, 1, 0, NOW, DEADLINE).refusal);
        final WholeRequest found = admission.find(CLIENT, 10);
        assertSame(whole, found, "part k finds the request of id (its id - k)");
        assertTrue(found.admitted());
        admission.arrive(found, 400);
        admission.release(found, 400);  // the first message answered meanwhile
        assertSame(whole, admission.find(CLIENT, 10));
        admission.arrive(whole, 200);
        assertNull(admission.find(CLIENT, 10), "every token came: nothing more is expected");
        assertEquals(600, admission.tokens(), "the messages not yet answered still hold their tokens");
        admission.release(whole, 400);
        admission.release(whole, 200);
        assertEquals(0, admission.tokens());
        assertEquals(0, admission.requests(), "the slot is free once the last message is answered");
        assertTrue(admission.open(CLIENT + 1, 1, 0, 1_000, 1_000, 0, NOW, DEADLINE).admitted());
    }

    @Test
    void theLaterMessagesOfARefusedRequestFindItRefused()
    {
        final Admission admission = admission(1, 1_000, 1, 1_000);
        admission.open(CLIENT, 1, 0, 1_000, 1_000, 0, NOW, DEADLINE);
        final WholeRequest refused = admission.open(CLIENT + 1, 5, 0, 800, 400, 0, NOW, DEADLINE);
        assertEquals(BlockStatus.OVERLOADED, refused.refusal);
        admission.arrive(refused, 400);
        final WholeRequest found = admission.find(CLIENT + 1, 5);
        assertSame(refused, found);
        assertEquals(BlockStatus.OVERLOADED, found.refusal, "refused whole: its later parts are refused too");
        admission.arrive(found, 400);
        assertNull(admission.find(CLIENT + 1, 5));
        assertEquals(0, admission.openRequests());
    }

    @Test
    void aRequestLargerThanTheGatewayAdmitsIsBadInput()
    {
        final Admission admission = admission(16, 50_000, 16, 30_000);
        final WholeRequest w = admission.open(CLIENT, 1, 0, 40_000, 384, 0, NOW, DEADLINE);
        assertEquals(BlockStatus.BAD_INPUT, w.refusal);
        assertTrue(w.refusalDetail.contains("40000 tokens"), w.refusalDetail);
        assertTrue(w.refusalDetail.contains("30000"), w.refusalDetail);
    }

    @Test
    void twoCallersOfOneClientHaveSeparateShares()
    {
        final Admission admission = admission(1024, 1 << 20, 1, 5_000);
        final WholeRequest a = admission.open(CLIENT, 1, 11, 5_000, 384, 0, NOW, DEADLINE);
        final WholeRequest b = admission.open(CLIENT, 20, 22, 5_000, 384, 0, NOW, DEADLINE);
        final WholeRequest again = admission.open(CLIENT, 40, 11, 100, 100, 0, NOW, DEADLINE);
        final WholeRequest own = admission.open(CLIENT, 41, 0, 5_000, 384, 0, NOW, DEADLINE);
        assertTrue(a.admitted());
        assertTrue(b.admitted(), "caller 22 has a share of its own beside caller 11's");
        assertTrue(own.admitted(), "and so has the client itself (caller 0)");
        assertEquals(BlockStatus.OVERLOADED, again.refusal, "caller 11's share is full");
        assertTrue(again.refusalDetail.startsWith("this client's share of the gateway is full (caller 11: 1 requests"),
            again.refusalDetail);
        // Another client's caller of the same key is another share.
        assertTrue(admission.open(CLIENT + 1, 1, 11, 5_000, 384, 0, NOW, DEADLINE).admitted());
        // Answering caller 11's request frees its share.
        admission.arrive(a, 5_000);
        admission.release(a, 5_000);
        assertTrue(admission.open(CLIENT, 42, 11, 100, 100, 0, NOW, DEADLINE).admitted());
    }

    @Test
    void aRequestWhoseMessagesStopComingGivesItsTokensBackAtItsDeadline()
    {
        final Admission admission = admission(4, 10_000, 4, 10_000);
        final WholeRequest w = admission.open(CLIENT, 1, 0, 10_000, 400, 0, NOW, DEADLINE);
        admission.arrive(w, 400);
        assertEquals(0, admission.expire(DEADLINE), "not past its deadline yet");
        assertEquals(1, admission.expire(DEADLINE + 1));
        final WholeRequest late = admission.find(CLIENT, 1);
        assertSame(w, late, "a later message finds it timed out");
        assertEquals(BlockStatus.TIMEOUT, late.refusal);
        assertEquals("no answer within 10000 ms (0 of 10000 tokens done)", late.refusalDetail);
        assertEquals(400, admission.tokens(), "only its message waiting still holds tokens");
        admission.expire(DEADLINE + Admission.LINGER_NS + 1);
        assertNull(admission.find(CLIENT, 1), "long past its deadline it is forgotten");
        admission.release(w, 400);
        assertEquals(0, admission.tokens());
        assertEquals(0, admission.requests());
        // Pooled: the next request reuses it, with nothing left over.
        final WholeRequest next = admission.open(CLIENT, 2, 0, 10_000, 10_000, 0, NOW, DEADLINE);
        assertTrue(next.admitted());
        assertEquals(0, next.rowsDone);
        assertNotSame(null, next.share);
    }
}
