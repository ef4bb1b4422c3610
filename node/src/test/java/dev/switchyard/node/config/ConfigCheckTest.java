package dev.switchyard.node.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigCheckTest
{
    @TempDir
    Path dir;

    /** The user's text completed with the reference, as a node reads its configuration. */
    private static Config full(final String user)
    {
        return ConfigFactory.parseString(user).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    private static String problem(final String user)
    {
        return assertThrows(BadInputException.class, () -> ConfigCheck.validate(full(user))).getMessage();
    }

    /**
     * Validates a configuration that must pass and returns it. It must hold a switchyard section: without one the
     * check has nothing to read and passes whatever was meant.
     */
    private static Config passes(final Config config)
    {
        assertTrue(config.hasPath("switchyard"), "no switchyard section to check: " + config.root().render());
        assertDoesNotThrow(() -> ConfigCheck.validate(config));
        return config;
    }

    @Test
    void theReferenceAndTheShippedConfigurationPass() throws Exception
    {
        passes(full(""));
        final Path shipped = Path.of("..", "deploy", "src", "dist", "conf", "switchyard.conf");
        final String text = Files.readString(shipped);
        assertTrue(ConfigFactory.parseString(text).hasPath("switchyard"), "the shipped configuration sets nothing");
        passes(full(text));
    }

    @Test
    void aMisspeltKeyIsNamedWithWhatWasMeant()
    {
        final String message = problem("switchyard.gateway.max-queud-requests = 10");
        assertEquals("configuration: unknown key switchyard.gateway.max-queud-requests " +
            "(did you mean switchyard.gateway.max-queued-requests?)", message);
    }

    @Test
    void aKeyInTheWrongSectionPointsToItsSection()
    {
        final String message = problem("switchyard.gateway.compute-threads = 2");
        assertTrue(message.contains("unknown key switchyard.gateway.compute-threads"), message);
        assertTrue(message.contains("did you mean switchyard.experts.compute-threads?"), message);
    }

    @Test
    void aSectionOfAnEarlierReleaseSaysWhereItWent()
    {
        assertEquals("configuration: unknown key switchyard.metrics (moved to switchyard.http " +
            "(metrics.http-port is http.port, metrics.http-host is http.host))",
            problem("switchyard.metrics.http-port = 9400"));
    }

    @Test
    void aKeyFarFromEveryKnownOneGetsNoGuess()
    {
        assertEquals("configuration: unknown key switchyard.colour", problem("switchyard.colour = blue"));
    }

    @Test
    void wrongTypesAreNamed()
    {
        assertEquals("configuration: switchyard.gateway.group-per-request must be true or false (got \"maybe\")",
            problem("switchyard.gateway.group-per-request = maybe"));
        assertEquals("configuration: switchyard.cluster.seed-nodes must be a list [...] (got \"a:1\")",
            problem("switchyard.cluster.seed-nodes = \"a:1\""));
        assertEquals("configuration: switchyard.cluster.port must be a number (got \"two\")",
            problem("switchyard.cluster.port = two"));
        assertTrue(problem("switchyard.gateway { bind { host = x } }").contains("switchyard.gateway.bind must be a single value"));
    }

    @Test
    void valuesOutOfRangeAreNamed()
    {
        assertEquals("configuration: switchyard.cluster.port must be a whole number from 0 to 65535 (got 70000)",
            problem("switchyard.cluster.port = 70000"));
        assertEquals("configuration: switchyard.data-plane.mtu must be a whole number from 1024 to 65504, " +
            "a multiple of 32 (got 1500)", problem("switchyard.data-plane.mtu = 1500"));
        assertEquals("configuration: switchyard.gateway.relocate-interval must be a duration from 10 ms to 3600 s " +
            "(got \"0s\")", problem("switchyard.gateway.relocate-interval = 0s"));
        assertEquals("configuration: switchyard.experts.compute-threads must be a whole number from 1 to 1024 " +
            "(got 0)", problem("switchyard.experts.compute-threads = 0"));
    }

    @Test
    void everyProblemIsInTheOneLine()
    {
        final String message = problem("switchyard { cluster.port = -1, gateway.deadline-mss = 5 }");
        assertFalse(message.contains("\n"), message);
        assertTrue(message.contains("switchyard.cluster.port") && message.contains("switchyard.gateway.deadline-mss"),
            message);
    }

    @Test
    void numbersAndBooleansGivenAsTextFromFlagsPass()
    {
        // Flags arrive as strings (serve --cluster HOST:PORT splits into text).
        final Config config = passes(
            full("switchyard.cluster.port = \"2552\"\nswitchyard.gateway.group-per-request = \"on\""));
        assertEquals(2552, config.getInt("switchyard.cluster.port"));
        assertTrue(config.getBoolean("switchyard.gateway.group-per-request"));
    }

    @Test
    void secretValuesAreNeverShown()
    {
        final Config reference = ConfigFactory.parseString("switchyard.tls.key-store-password = \"\"");
        final Config given = ConfigFactory.parseString("switchyard.tls.key-store-password = [hunter2]");
        final String message = assertThrows(BadInputException.class,
            () -> ConfigCheck.validate(given.withFallback(reference), reference)).getMessage();
        assertFalse(message.contains("hunter2"), message);
        assertTrue(message.contains("switchyard.tls.key-store-password must be a single value"), message);
    }

    @Test
    void anEmptyReferenceObjectTakesTheUsersOwnKeys()
    {
        final Config reference = ConfigFactory.parseString("switchyard.per-expert {}");
        final Config given = ConfigFactory.parseString("switchyard.per-expert { \"3\" = 2, \"0-7\" = 1 }")
            .withFallback(reference);
        assertDoesNotThrow(() -> ConfigCheck.validate(given, reference));
        assertEquals(Set.of("3", "0-7"), given.getObject("switchyard.per-expert").keySet());
    }

    @Test
    void termLengthsFollowTheMediaDriversRules()
    {
        assertEquals("configuration: switchyard.data-plane.ipc-term-length must be auto or at least 512k: an " +
            "eighth of the term (the largest message) must hold the MTU of 65504 bytes (got \"256k\")",
            problem("switchyard.data-plane.ipc-term-length = 256k"));
        assertTrue(problem("switchyard.data-plane { udp-term-length = 64k, mtu = 9216 }")
            .contains("switchyard.data-plane.udp-term-length must be auto or at least 128k"));
        assertTrue(problem("switchyard.data-plane.udp-term-length = 3m")
            .contains("switchyard.data-plane.udp-term-length must be auto or a power of two from 64k to 1g"));
        assertTrue(problem("switchyard.data-plane.udp-term-length = 2g").contains("a power of two from 64k to 1g"));
        assertTrue(problem("switchyard.data-plane.udp-term-length = lots").contains("a size such as 4m"));
        assertTrue(problem("switchyard.data-plane.mtu = 1400").contains("a multiple of 32"));
        passes(full("switchyard.data-plane { ipc-term-length = 512k, udp-term-length = 64k, mtu = 8192 }"));
        passes(full("switchyard.data-plane { ipc-term-length = auto, udp-term-length = 1g }"));
    }
}
