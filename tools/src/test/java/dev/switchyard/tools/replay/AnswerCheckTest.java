package dev.switchyard.tools.replay;

import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.tools.record.RecordedRequest;
import dev.switchyard.tools.record.RecordedRouting;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routing is verified token by token where the recording holds it; the first differing token is named. */
class AnswerCheckTest
{
    private static final int ROWS = 4;
    private static final int D = 2;

    private static final float[] OUTPUT = {1, 2, 3, 4, 5, 6, 7, 8};  // [ROWS, D]

    private static RecordedRouting routing()
    {
        return new RecordedRouting(new int[] {0, 1, 2, 3, 1, -1, 3, 0}, new int[] {0, 0, 0, 0, 1, -1, 1, 1},
            new float[] {0.6f, 0.4f, 0.7f, 0.3f, 1f, 0f, 0.55f, 0.45f});
    }

    private static ScheduledRequest sent(final RecordedRouting recorded)
    {
        final RecordedRequest expected = new RecordedRequest(0, 7, 3, 1, 0, true, recorded != null, 0, ROWS,
            new float[ROWS * D], null, "OK", "", OUTPUT.clone(), recorded, 1000);
        return new ScheduledRequest(5, 0, 0, true, recorded != null, 0, ROWS, expected.tokens(), null, expected);
    }

    private static InferAnswer answer(final RecordedRouting r)
    {
        return new InferAnswer(1, AnswerStatus.OK, "", ROWS, D, OUTPUT.clone(),
            r == null ? null : new InferAnswer.Routing(new int[] {4}, new double[] {1.0}, r.expert(), r.position(),
                r.gate()));
    }

    @Test
    void identicalRoutingPasses()
    {
        final AnswerCheck check = new AnswerCheck();
        check.check(sent(routing()), answer(routing()));
        assertTrue(check.passed());
        assertEquals(1, check.routingIdentical());
        assertTrue(check.summary().endsWith("; routing of 1 exact answers compared: 1 identical, 0 differing"),
            check.summary());
    }

    @Test
    void aGateOneBitOffIsNamedWithItsToken()
    {
        final RecordedRouting replayed = routing();
        replayed.gate()[5] = Math.nextUp(replayed.gate()[5]);
        final AnswerCheck check = new AnswerCheck();
        check.check(sent(routing()), answer(replayed));
        assertFalse(check.passed());
        assertEquals(1, check.exactIdentical());
        assertEquals(1, check.routingDiffering());
        assertEquals("request 5 (recorded as client 7 request 3, 4 tokens): routing: token 2 differs first " +
            "(second choice expert -1 position -1 gate 1.4E-45 instead of second choice expert -1 position -1 gate 0.0)",
            check.differences().getFirst());
    }

    @Test
    void aMissingRoutingReportIsADifferenceAndNoRecordedRoutingIsNotCompared()
    {
        final AnswerCheck check = new AnswerCheck();
        check.check(sent(routing()), answer(null));
        assertEquals(1, check.routingDiffering());
        assertTrue(check.differences().getFirst().endsWith("routing: no routing report was answered"));
        check.check(sent(null), answer(routing()));
        assertEquals(2, check.exactIdentical());
        assertEquals(1, check.routingDiffering());
        assertEquals(0, check.routingIdentical());
    }
}
