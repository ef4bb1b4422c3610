package dev.switchyard.dataplane;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Auto-sized terms carry the largest message in an eighth of their length, and no more than that needs. */
class DataPlaneSettingsTest
{
    @Test
    void termsAreTheSmallestPowerOfTwoThatCarriesTheLargestMessage()
    {
        assertEquals(1 << 20, DataPlaneSettings.termFor(1));
        assertEquals(1 << 20, DataPlaneSettings.termFor(128 * 1024));
        assertEquals(2 << 20, DataPlaneSettings.termFor(128 * 1024 + 1));
        assertEquals(16 << 20, DataPlaneSettings.termFor(2 << 20));
        assertEquals(32 << 20, DataPlaneSettings.termFor((2 << 20) + 64));
        assertThrows(IllegalArgumentException.class, () -> DataPlaneSettings.termFor((128L << 20) + 1));
    }

    @Test
    void onlyTermsLeftAtZeroAreSized()
    {
        final DataPlaneSettings auto = new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff", 0, 4 << 20, 1408);
        final DataPlaneSettings sized = auto.sizedFor(300_000);
        assertEquals(4 << 20, sized.ipcTermLength());
        assertEquals(4 << 20, sized.udpTermLength());
        assertEquals(sized.ipcTermLength() / 8, sized.maxMessageLength());
        assertEquals(8 << 20, auto.sizedFor(1 << 20).ipcTermLength());
        assertEquals(4 << 20, auto.sizedFor(1 << 20).udpTermLength());
    }
}
