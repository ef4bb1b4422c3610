package dev.switchyard.dataplane;

import dev.switchyard.wire.BadInputException;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void termRulesAreTheMediaDriversOwn()
    {
        assertNull(DataPlaneSettings.termProblem(512 << 10, DataPlane.IPC_MTU));
        assertNull(DataPlaneSettings.termProblem(64 << 10, 8192));
        assertNotNull(DataPlaneSettings.termProblem(256 << 10, DataPlane.IPC_MTU));
        assertNotNull(DataPlaneSettings.termProblem(64 << 10, 8224));
        assertNotNull(DataPlaneSettings.termProblem(3 << 20, 1408));
        assertNotNull(DataPlaneSettings.termProblem(32 << 10, 1408));
        assertNotNull(DataPlaneSettings.termProblem(2L << 30, 1408));
        // What the rule lets through, a real driver takes; the first term below it, the driver refuses.
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED).ipcMtuLength(DataPlane.IPC_MTU).ipcTermBufferLength(256 << 10)
                .dirDeleteOnStart(true).dirDeleteOnShutdown(true));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())))
        {
            try (Publication ok = aeron.addExclusivePublication("aeron:ipc?term-length=512k", 7);
                Publication udp = aeron.addExclusivePublication(
                    "aeron:udp?endpoint=127.0.0.1:9|term-length=64k|mtu=8192", 8))
            {
                assertEquals(512 << 10, ok.termBufferLength());
                assertEquals(8192, udp.maxPayloadLength() + 32);
            }
            assertThrows(RuntimeException.class, () -> aeron.addExclusivePublication("aeron:ipc", 9));
            assertThrows(RuntimeException.class, () -> aeron.addExclusivePublication(
                "aeron:udp?endpoint=127.0.0.1:9|term-length=64k|mtu=8224", 10));
        }
    }

    @Test
    void aDataPlaneRefusesATermItsDriverWouldRefuseNamingTheKey()
    {
        final BadInputException e = assertThrows(BadInputException.class, () -> DataPlane.start(
            new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff", 256 << 10, 1 << 20, 1408)));
        assertTrue(e.getMessage().startsWith("switchyard.data-plane.ipc-term-length must be at least 512k"),
            e.getMessage());
    }
}
