package dev.switchyard.wire.frame;

import java.util.HashSet;
import java.util.Set;

import dev.switchyard.wire.sbe.BlockStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every status the schema names reads as itself; every other value, the null value included, as MALFORMED. */
class StatusesTest
{
    @Test
    void everyKnownStatusReadsAsItself()
    {
        int known = 0;
        for (final BlockStatus status : BlockStatus.values())
        {
            if (status != BlockStatus.NULL_VAL)
            {
                assertEquals(status, Statuses.of(status.value()));
                known++;
            }
        }
        assertEquals(BlockStatus.values().length - 1, known);
    }

    @Test
    void everyOtherValueReadsAsMalformed()
    {
        final Set<Short> known = new HashSet<>();
        for (final BlockStatus status : BlockStatus.values())
        {
            if (status != BlockStatus.NULL_VAL)
            {
                known.add(status.value());
            }
        }
        int unknown = 0;
        for (int raw = Short.MIN_VALUE; raw <= Short.MAX_VALUE; raw++)
        {
            if (!known.contains((short)raw))
            {
                assertEquals(BlockStatus.MALFORMED, Statuses.of((short)raw), "value " + raw);
                unknown++;
            }
        }
        assertEquals(65_536 - known.size(), unknown);
        assertEquals(BlockStatus.MALFORMED, Statuses.of(BlockStatus.NULL_VAL.value()));
    }
}
