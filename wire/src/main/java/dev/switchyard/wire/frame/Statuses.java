package dev.switchyard.wire.frame;

import dev.switchyard.wire.sbe.BlockStatus;

/** Status codes read from the wire: a value this build does not know reads as MALFORMED, never throws. */
public final class Statuses
{
    private static final BlockStatus[] BY_VALUE = new BlockStatus[256];

    static
    {
        for (final BlockStatus s : BlockStatus.values())
        {
            if (s != BlockStatus.NULL_VAL)
            {
                BY_VALUE[s.value()] = s;
            }
        }
    }

    private Statuses()
    {
    }

    public static BlockStatus of(final short raw)
    {
        final BlockStatus s = raw >= 0 && raw < BY_VALUE.length ? BY_VALUE[raw] : null;
        return s == null ? BlockStatus.MALFORMED : s;
    }
}
