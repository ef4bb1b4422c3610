package dev.switchyard.node.system;

import java.util.List;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data-plane host cannot be wrong silently: unset it follows the cluster host; loopback with a
 * cluster address that is not loopback is refused in one line naming --data-host.
 */
class DataPlaneHostTest
{
    @Test
    void unsetFollowsTheClusterHost()
    {
        assertEquals("10.77.0.2", DataPlaneHost.resolve("", "10.77.0.2", List.of("10.77.0.1:2551"), "0.0.0.0"));
        assertEquals("127.0.0.1", DataPlaneHost.resolve("", "127.0.0.1", List.of(), "127.0.0.1"));
        assertEquals("node-1.switchyard", DataPlaneHost.resolve("", "node-1.switchyard", List.of(), "0.0.0.0"));
    }

    @Test
    void aGivenHostIsKept()
    {
        assertEquals("10.0.0.9", DataPlaneHost.resolve("10.0.0.9", "node-1.switchyard", List.of(), "0.0.0.0"));
        assertEquals("127.0.0.1", DataPlaneHost.resolve("127.0.0.1", "localhost", List.of(), "127.0.0.1"));
    }

    @Test
    void aWildcardClusterHostTakesTheInterfaceTowardTheSeed()
    {
        // The route to a loopback seed leaves from loopback: a connected UDP socket, no packet sent.
        assertEquals("127.0.0.1", DataPlaneHost.resolve("", "0.0.0.0", List.of("127.0.0.1:2551"), "0.0.0.0"));
        assertEquals("10.1.2.3", DataPlaneHost.resolve("", "0.0.0.0", List.of(), "10.1.2.3"));
        assertEquals("127.0.0.1", DataPlaneHost.resolve("", "0.0.0.0", List.of(), "0.0.0.0"));
    }

    @Test
    void loopbackBehindANonLoopbackClusterAddressIsRefusedNamingTheFlag()
    {
        for (final String loop : List.of("127.0.0.1", "localhost", "::1", "127.0.1.1"))
        {
            final BadInputException ex = assertThrows(BadInputException.class,
                () -> DataPlaneHost.resolve(loop, "10.77.0.2", List.of(), "10.77.0.2"));
            assertTrue(ex.getMessage().contains("--data-host"), ex.getMessage());
            assertTrue(ex.getMessage().contains("10.77.0.2"), ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        }
        assertThrows(BadInputException.class, () -> DataPlaneHost.resolve("0.0.0.0", "10.77.0.2", List.of(), "x"));
    }

    @Test
    void nodeSettingsAdvertiseTheClusterHostByDefault()
    {
        final NodeSettings s = NodeSettings.from(ConfigFactory.parseString(
            "switchyard { model = /tmp/m, cluster.host = \"10.77.0.3\", role = experts }")
            .withFallback(ConfigFactory.defaultReference()).resolve());
        assertEquals("10.77.0.3", s.dataPlane().host());
        assertThrows(BadInputException.class, () -> NodeSettings.from(ConfigFactory.parseString(
            "switchyard { model = /tmp/m, cluster.host = \"10.77.0.3\", data-plane.host = \"127.0.0.1\" }")
            .withFallback(ConfigFactory.defaultReference()).resolve()));
    }
}
