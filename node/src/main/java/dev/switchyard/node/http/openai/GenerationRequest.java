package dev.switchyard.node.http.openai;

/**
 * One generation as the routes ask for it.
 *
 * @param prompt      ids, at least one
 * @param maxTokens   new ids at most
 * @param temperature 0 greedy, else the Gumbel rule's temperature
 * @param seed        the sampling seed: the ids depend on (seed, position) alone
 * @param topLogprobs alternatives reported per token, 0 for none
 */
public record GenerationRequest(int[] prompt, int maxTokens, double temperature, long seed, int topLogprobs)
{
}
