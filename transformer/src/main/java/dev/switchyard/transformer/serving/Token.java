package dev.switchyard.transformer.serving;

import java.util.List;

/**
 * One new id of a sequence, as soon as it is chosen.
 *
 * @param id       the id
 * @param index    0 for the first new id, 1 for the next, ...
 * @param logprob  log_softmax of the untempered logits at the id (float64)
 * @param top      the most likely ids with their log-probabilities, most likely first (as many as asked)
 * @param logits   [V] the logits the id was chosen from, or null unless the request kept them
 */
public record Token(int id, int index, double logprob, List<Alternative> top, float[] logits)
{
    /** A candidate id and its log-probability. */
    public record Alternative(int id, double logprob)
    {
    }
}
