package dev.switchyard.tools.replay;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunVerdictTest
{
    private static final RunEnd WHOLE = new RunEnd(0, null, -1, -1);

    @Test
    void aRunFailsWhenMoreThanHalfOfItsAnswersAreErrors()
    {
        assertEquals("FAILED: most answers were errors: 6 of 10 (gateway_unavailable 5, overloaded 1)",
            RunVerdict.failure(WHOLE, 10, Map.of("OK", 4L, "GATEWAY_UNAVAILABLE", 5L, "OVERLOADED", 1L), null));
        // Half is not most; a degraded answer is the one its request asked for.
        assertNull(RunVerdict.failure(WHOLE, 10, Map.of("OK", 5L, "OVERLOADED", 5L), null));
        assertNull(RunVerdict.failure(WHOLE, 10, Map.of("DEGRADED", 8L, "TIMEOUT", 2L), null));
        assertNull(RunVerdict.failure(WHOLE, 0, Map.of(), null));
    }

    @Test
    void aLostGatewayOrAnUnansweredRequestFailsTheRunWhateverTheAnswers()
    {
        final String lost = RunVerdict.failure(new RunEnd(0, "gateway-unavailable: lost", 2_500_000_000L, -1), 40,
            Map.of("OK", 40L), null);
        assertEquals("FAILED: the gateway is gone; stopped 2.5 s into the run, after 40 requests sent " +
            "(gateway-unavailable: lost)", lost);
        assertTrue(RunVerdict.failure(new RunEnd(3, null, -1, -1), 40, Map.of("OK", 37L), null)
            .startsWith("FAILED: 3 of 40 requests were never answered"));
        assertNull(RunVerdict.behindNote(WHOLE));
        assertTrue(RunVerdict.behindNote(new RunEnd(0, null, -1, 1_200_000_000L)).startsWith("the sender fell 1.2 s"));
    }
}
