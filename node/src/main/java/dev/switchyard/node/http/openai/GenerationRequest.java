package dev.switchyard.node.http.openai;

/**
 * One generation as the routes ask for it.
 *
 * @param prompt      ids, at least one
 * @param maxTokens   new ids at most
 * @param temperature 0 greedy, else the Gumbel rule's temperature
 * @param seed        the sampling seed: the ids depend on (seed, position) alone
 * @param topLogprobs alternatives reported per token, 0 for none
 * @param ignoreEos   whether the model's EOS ids are generated like any other id instead of ending the generation
 */
public record GenerationRequest(int[] prompt, int maxTokens, double temperature, long seed, int topLogprobs,
    boolean ignoreEos)
{
}
