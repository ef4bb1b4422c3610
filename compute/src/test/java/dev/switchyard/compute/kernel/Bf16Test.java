package dev.switchyard.compute.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Bf16Test
{
    @Test
    void roundsToNearestTiesToEven()
    {
        // 1 + 2^-8 lies halfway between bf16 1.0 and 1 + 2^-7: ties go to the even mantissa, 1.0.
        assertEquals(1.0f, Bf16.round(1.0f + 0x1p-8f));
        // 1 + 3·2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
        assertEquals(1.0f + 0x1p-6f, Bf16.round(1.0f + 3 * 0x1p-8f));
        assertEquals(1.0f + 0x1p-7f, Bf16.round(1.0f + 0x1p-8f + 0x1p-20f));
        assertEquals(-2.5f, Bf16.round(-2.5f));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(Bf16.round(Float.NaN)));
    }

    @Test
    void relativeErrorIsAtMostHalfAnUlpOfEightBits()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int i = 0; i < 100_000; i++)
        {
            final float v = (float)(random.nextGaussian() * Math.pow(10, random.nextInt(-20, 20)));
            final float r = Bf16.round(v);
            assertTrue(Math.abs(r - v) <= Math.abs(v) * 0x1p-8, v + " -> " + r);
            assertEquals(r, Bf16.toFloat(Bf16.fromFloat(r)), "rounding is idempotent");
        }
    }
}
