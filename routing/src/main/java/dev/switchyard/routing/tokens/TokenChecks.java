package dev.switchyard.routing.tokens;

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
    public static void requireFinite(final float[] x, final int offset, final int tokens, final int d,
        final String what)
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
                throw new BadInputException(what + ": token " + t + " has importance " + describe(v) +
                    " (must be finite)");
            }
        }
    }

    /**
     * The first of {@code rows} rows of y [*, d] from row {@code fromRow} that holds a NaN or an
     * infinity, or -1. Finite inputs of a huge magnitude overflow float32 inside the layer (the
     * router's logits, an expert's products): such an output is not an answer, and must not pass for one.
     */
    public static int firstNonFiniteRow(final float[] y, final int fromRow, final int rows, final int d)
    {
        final int end = (fromRow + rows) * d;
        for (int i = fromRow * d; i < end; i++)
        {
            if (!Float.isFinite(y[i]))
            {
                return i / d;
            }
        }
        return -1;
    }

    /** The error of a token whose finite inputs gave non-finite outputs ({@link #firstNonFiniteRow}). */
    public static String overflowDetail(final int token)
    {
        return "token " + token + ": finite inputs gave non-finite outputs (float32 overflowed inside the layer); " +
            "inputs of this magnitude are outside what the model can compute";
    }

    /** Refuses outputs y [tokens, d] that overflowed, naming the first such token. */
    public static void requireFiniteOutputs(final float[] y, final int tokens, final int d, final String what)
    {
        final int bad = firstNonFiniteRow(y, 0, tokens, d);
        if (bad >= 0)
        {
            throw new BadInputException(what + ": " + overflowDetail(bad));
        }
    }

    private static String describe(final float v)
    {
        return Float.isNaN(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
    }
}
