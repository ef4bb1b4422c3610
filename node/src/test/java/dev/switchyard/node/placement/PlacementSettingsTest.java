package dev.switchyard.node.placement;

import java.time.Duration;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.node.config.ConfigCheck;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementSettingsTest
{
    private static Config full(final String user)
    {
        return ConfigFactory.parseString(user).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void theDefaults()
    {
        final PlacementSettings s = PlacementSettings.from(full(""));
        assertTrue(s.enabled());
        assertEquals(Duration.ofSeconds(20), s.window());
        assertEquals(2, s.maxMoves());
        assertEquals(0.3, s.hotShare());
        assertEquals(0.15, s.coolShare());
        assertEquals(Duration.ofSeconds(20), s.forgetAfter());
    }

    @Test
    void outOfRangeValuesAreOneErrorNamingEachKey()
    {
        final String message = assertThrows(BadInputException.class, () -> ConfigCheck.validate(full(
            "switchyard.placement { max-concurrent-moves = 0, hot-share = 1.5, improve-margin = -0.1, window = 2m }")))
            .getMessage();
        assertTrue(message.contains("switchyard.placement.max-concurrent-moves must be a whole number from 1 to 16"),
            message);
        assertTrue(message.contains("switchyard.placement.hot-share must be a number from 0.0 to 1.0 (got 1.5)"),
            message);
        assertTrue(message.contains("switchyard.placement.improve-margin must be a number from 0.0 to 1.0"), message);
        assertTrue(message.contains("switchyard.placement.window must be a duration from 1000 ms to 60 s"), message);
    }

    @Test
    void theCoolShareMustBeBelowTheHotShare()
    {
        final String message = assertThrows(BadInputException.class, () -> PlacementSettings.from(full(
            "switchyard.placement { hot-share = 0.2, cool-share = 0.2 }"))).getMessage();
        assertEquals("switchyard.placement.cool-share must be below switchyard.placement.hot-share (got 0.2 and 0.2)",
            message);
    }
}
