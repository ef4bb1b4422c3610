package dev.switchyard.node.http.openai;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stop strings over streamed pieces: the text ends before the first one met, wherever the pieces split it. */
class StopTextTest
{
    /** Feeds the pieces; returns what was released, then what finish() releases, joined by "|". */
    private static String feed(final StopText s, final String... pieces)
    {
        final StringBuilder out = new StringBuilder();
        for (final String p : pieces)
        {
            out.append(s.add(p)).append('|');
        }
        return out.append(s.finish()).toString();
    }

    @Test
    void aStopStringSplitOverPiecesIsHeldBackThenCut()
    {
        final StopText s = new StopText(List.of("END"));
        assertEquals("o|ne |t||", feed(s, "one", " tE", "N", "D more"));
        assertTrue(s.stopped());
    }

    @Test
    void theEarliestStopWins()
    {
        final StopText s = new StopText(List.of("zz", "b"));
        assertEquals("a|", feed(s, "abzz"));
        assertEquals(1, s.released());
    }

    @Test
    void heldTextThatNeverStopsIsReleasedAtTheEnd()
    {
        final StopText s = new StopText(List.of("xyz"));
        assertEquals("||ab|xy", feed(s, "a", "b", "xy"));
        assertFalse(s.stopped());
    }

    @Test
    void withoutStopsNothingIsHeld()
    {
        assertEquals("a|b|", feed(new StopText(List.of()), "a", "b"));
    }

    @Test
    void aSurrogatePairIsNeverSplit()
    {
        // "ab🙂" with one character held back: the pair's high half must not go out alone.
        final StopText s = new StopText(List.of("zz"));
        final String first = s.add("ab\uD83D\uDE42");
        assertEquals("ab", first);
        assertEquals("\uD83D\uDE42", s.finish());
    }
}
