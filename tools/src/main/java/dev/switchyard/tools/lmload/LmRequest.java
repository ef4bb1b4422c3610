package dev.switchyard.tools.lmload;

/**
 * One completion request of a run.
 *
 * @param index    its place in the schedule, from 0 (also its prompt's seed)
 * @param offsetNs when it is meant to leave, ns after the run's start
 * @param prompt   prompt tokens
 * @param output   max_tokens: the output length drawn or traced
 */
public record LmRequest(int index, long offsetNs, int prompt, int output)
{
}
