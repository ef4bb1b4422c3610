package dev.switchyard.transformer.serving;

import dev.switchyard.wire.BadInputException;

/**
 * How much a {@link ServingEngine} takes on at once. A sequence holds key/value room for its prompt plus its
 * most new ids from admission to its end (no preemption), so the token budget bounds the cache memory:
 * budget · layers · 2 · KV·hd · 4 bytes.
 *
 * @param maxRunning  sequences decoding together at most
 * @param tokenBudget positions (prompt + max new ids) the running sequences may hold together
 * @param maxQueued   requests waiting for room at most; one more is refused as overloaded
 */
public record EngineLimits(int maxRunning, long tokenBudget, int maxQueued)
{
    /** @throws BadInputException naming the value out of range */
    public EngineLimits
    {
        if (maxRunning < 1 || tokenBudget < 1 || maxQueued < 0)
        {
            throw new BadInputException("engine limits: running sequences and token budget must be at least 1, " +
                "the queue at least 0 (got " + maxRunning + ", " + tokenBudget + ", " + maxQueued + ")");
        }
    }
}
