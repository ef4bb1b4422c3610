package dev.switchyard.cli;

import java.nio.file.Path;

import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.routing.tokens.TokenChecks;
import dev.switchyard.wire.BadInputException;

/** Token and importance files as a model expects them, refused with one line when they don't fit. */
final class TokenFiles
{
    private TokenFiles()
    {
    }

    /** [T, d_model] float32, every value finite. */
    static NpyArray readTokens(final String flag, final Path file, final int dModel)
    {
        final NpyArray x = Npy.read(CliArgs.existingFile(flag, file));
        if (x.rank() != 2)
        {
            throw new BadInputException(flag + " " + file + ": expected shape [tokens, " + dModel + "], got " +
                x.shapeString());
        }
        if (x.cols() != dModel)
        {
            throw new BadInputException(
                flag + " " + file + ": tokens have width " + x.cols() + " but the model's d_model is " + dModel);
        }
        if (x.rows() < 1)
        {
            throw new BadInputException(flag + " " + file + ": holds 0 tokens (at least 1 is needed)");
        }
        TokenChecks.requireFinite(x.data(), 0, x.rows(), dModel, flag + " " + file);
        return x;
    }

    /** [T] float32, every value finite; null when no file is given. */
    static float[] readImportance(final String flag, final Path file, final int tokens)
    {
        if (file == null)
        {
            return null;
        }
        final NpyArray imp = Npy.read(CliArgs.existingFile(flag, file));
        if (imp.rank() != 1 || imp.shape()[0] != tokens)
        {
            throw new BadInputException(flag + " " + file + ": expected shape [" + tokens +
                "] (one value per token), got " +
                imp.shapeString());
        }
        TokenChecks.requireFiniteImportance(imp.data(), 0, tokens, flag + " " + file);
        return imp.data();
    }
}
