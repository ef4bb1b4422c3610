package dev.switchyard.transformer.decoder;

import dev.switchyard.wire.BadInputException;

/**
 * How a checkpoint generates.
 *
 * @param maxNewTokens N, the most ids added to each row (at least 1)
 * @param temperature  0 for greedy (argmax, lowest id on ties), else T &gt; 0 of the Gumbel rule
 * @param seed         the seed of the sampling uniforms (unused when greedy)
 */
public record GenerateOptions(int maxNewTokens, double temperature, long seed)
{
    /** @throws BadInputException naming the value that is out of range */
    public GenerateOptions
    {
        if (maxNewTokens < 1)
        {
            throw new BadInputException("max new tokens must be at least 1 (got " + maxNewTokens + ")");
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature))
        {
            throw new BadInputException("temperature must be a finite number ≥ 0, 0 for greedy (got " +
                temperature + ")");
        }
    }

    /** Greedy decoding of up to N new ids. */
    public static GenerateOptions greedy(final int maxNewTokens)
    {
        return new GenerateOptions(maxNewTokens, 0, 0);
    }
}
