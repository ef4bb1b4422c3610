package dev.switchyard.testkit;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class TokensTest
{
    @Test
    void drawsRowMajorFromTheSeededGenerator()
    {
        final float[] x = Tokens.gaussian(3, 5, 11);
        assertEquals(15, x.length);
        final SplittableRandom random = new SplittableRandom(11);
        for (final float v : x)
        {
            assertEquals((float)random.nextGaussian(), v);
        }
    }

    @Test
    void theSameSeedGivesTheSameTokensAndAnotherSeedOthers()
    {
        assertArrayEquals(Tokens.gaussian(4, 8, 7), Tokens.gaussian(4, 8, 7));
        assertFalse(Arrays.equals(Tokens.gaussian(4, 8, 7), Tokens.gaussian(4, 8, 8)));
    }

    @Test
    void aLongerDrawStartsWithTheShorterOne()
    {
        final float[] longer = Tokens.gaussian(4, 8, 7);
        final float[] shorter = Tokens.gaussian(2, 8, 7);
        assertArrayEquals(shorter, Arrays.copyOf(longer, shorter.length));
    }
}
