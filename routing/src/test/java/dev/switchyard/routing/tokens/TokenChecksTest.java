package dev.switchyard.routing.tokens;

import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TokenChecksTest
{
    @Test
    void namesTheFirstNonFiniteTokenAndColumn()
    {
        final float[] x = {0f, 1f, 2f, 3f, Float.NaN, 5f, Float.POSITIVE_INFINITY, 7f};
        final BadInputException e =
            assertThrows(BadInputException.class, () -> TokenChecks.requireFinite(x, 0, 4, 2, "x.npy"));
        assertEquals("x.npy: token 2 has NaN at column 0 (inputs must be finite)", e.getMessage());
    }

    @Test
    void countsTokensFromTheOffset()
    {
        final float[] x = {Float.NaN, 1f, 2f, Float.NEGATIVE_INFINITY};
        final BadInputException e =
            assertThrows(BadInputException.class, () -> TokenChecks.requireFinite(x, 2, 1, 2, "request 7"));
        assertEquals("request 7: token 0 has -Inf at column 1 (inputs must be finite)", e.getMessage());
        assertDoesNotThrow(() -> TokenChecks.requireFinite(x, 1, 1, 2, "ok"));
    }

    @Test
    void refusesNonFiniteImportance()
    {
        final BadInputException e = assertThrows(BadInputException.class,
            () -> TokenChecks.requireFiniteImportance(new float[] {1f, Float.NaN}, 0, 2, "i.npy"));
        assertEquals("i.npy: token 1 has importance NaN (must be finite)", e.getMessage());
    }
}
