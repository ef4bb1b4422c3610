package dev.switchyard.transformer.serving;

import dev.switchyard.transformer.decoder.GenerateOptions;
import dev.switchyard.wire.BadInputException;

/**
 * One generation: a prompt continued by up to {@code options.maxNewTokens()} ids, greedy or sampled with
 * §8's Gumbel rule over (seed, position in the output) alone, so the ids do not depend on the batch.
 *
 * @param prompt      ids of the prompt, at least one
 * @param options     new ids at most, temperature, seed
 * @param topLogprobs alternatives reported with each id (their log-probabilities), 0 for none
 * @param keepLogits  whether each {@link Token} carries its whole logits row [V] (tests, diagnostics)
 * @param ignoreEos   whether the engine's EOS ids are produced like any other id instead of ending the sequence
 */
public record SequenceRequest(int[] prompt, GenerateOptions options, int topLogprobs, boolean keepLogits,
    boolean ignoreEos)
{
    /** A request that ends at an EOS id. */
    public SequenceRequest(final int[] prompt, final GenerateOptions options, final int topLogprobs,
        final boolean keepLogits)
    {
        this(prompt, options, topLogprobs, keepLogits, false);
    }

    /** @throws BadInputException naming what is missing or out of range */
    public SequenceRequest
    {
        if (prompt == null || prompt.length == 0)
        {
            throw new BadInputException("the prompt needs at least one token");
        }
        if (topLogprobs < 0)
        {
            throw new BadInputException("top logprobs must be at least 0 (got " + topLogprobs + ")");
        }
        prompt = prompt.clone();
    }

    /** Positions this request holds in the key/value cache while it runs: its prompt and its new ids. */
    public long positions()
    {
        return (long)prompt.length + options.maxNewTokens();
    }
}
