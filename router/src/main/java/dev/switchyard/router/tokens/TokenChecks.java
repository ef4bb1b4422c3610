package dev.switchyard.router.tokens;

import dev.switchyard.wire.BadInputException;

/** Refuses token data that would poison a group: NaN and infinities, named by token and column. */
public final class TokenChecks
{
    private TokenChecks()
    {
    }

    /**
     * @param x    [tokens, d] token rows from offset
     * @param what names the source in the error (a file, a request)
     */
    public static void requireFinite(final float[] x, final int offset, final int tokens, final int d, final String what)
    {
        for (int t = 0; t < tokens; t++)
        {
            final int row = offset + t * d;
            for (int j = 0; j < d; j++)
            {
                final float v = x[row + j];
                if (!Float.isFinite(v))
                {
                    throw new BadInputException(
                        what + ": token " + t + " has " + describe(v) + " at column " + j + " (inputs must be finite)");
                }
            }
        }
    }

    /** @param importance [tokens] from offset */
    public static void requireFiniteImportance(
        final float[] importance, final int offset, final int tokens, final String what)
    {
        for (int t = 0; t < tokens; t++)
        {
            final float v = importance[offset + t];
            if (!Float.isFinite(v))
            {
                throw new BadInputException(what + ": token " + t + " has importance " + describe(v) + " (must be finite)");
            }
        }
    }

    private static String describe(final float v)
    {
        return Float.isNaN(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
    }
}
