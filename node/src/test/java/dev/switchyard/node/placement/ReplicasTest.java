package dev.switchyard.node.placement;

import java.util.List;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.experts.actor.ExpertId;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicasTest
{
    @Test
    void everyExpertGetsTheCopiesItsConfigurationNames()
    {
        final Replicas replicas = Replicas.from(ConfigFactory.parseString(
            "switchyard.experts { replicas = 2, replicas-per-expert { \"1\" = 3 } }"));
        assertEquals(2, replicas.of(0));
        assertEquals(3, replicas.of(1));
        assertEquals(List.of(new ExpertId(0, 0, 0), new ExpertId(0, 0, 1), new ExpertId(0, 1, 0),
            new ExpertId(0, 1, 1), new ExpertId(0, 1, 2)), replicas.ids(1, 2));
    }

    @Test
    void withoutConfigurationEveryExpertHasOneCopy()
    {
        assertEquals(1, Replicas.from(ConfigFactory.empty()).of(5));
    }

    @Test
    void aCountOutOfRangeOrNotANumberIsOneClearError()
    {
        assertMessage("switchyard.experts.replicas = 0", "switchyard.experts.replicas must be 1 to 4, got 0");
        assertMessage("switchyard.experts.replicas = 5", "switchyard.experts.replicas must be 1 to 4, got 5");
        assertMessage("switchyard.experts.replicas = two", "switchyard.experts.replicas");
        assertMessage("switchyard.experts.replicas-per-expert { x = 2 }",
            "switchyard.experts.replicas-per-expert: key must be an expert index, got 'x'");
        assertMessage("switchyard.experts.replicas-per-expert { \"3\" = 9 }",
            "switchyard.experts.replicas-per-expert.3 must be 1 to 4, got 9");
    }

    @Test
    void entityIdsKeepTheFirstCopysNameAndReadBack()
    {
        assertEquals("0-7", new ExpertId(0, 7, 0).entityId());
        assertEquals("2-7-1", new ExpertId(2, 7, 1).entityId());
        assertEquals(new ExpertId(2, 7, 1), ExpertId.parse("2-7-1"));
        assertEquals(new ExpertId(0, 7, 0), ExpertId.parse("0-7"));
        assertEquals("2-7", ExpertId.parse("2-7-3").expertKey());
        assertThrows(IllegalArgumentException.class, () -> ExpertId.parse("2-7-9"));
    }

    private static void assertMessage(final String conf, final String expected)
    {
        final BadInputException ex = assertThrows(BadInputException.class,
            () -> Replicas.from(ConfigFactory.parseString(conf)));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
