package dev.switchyard.client;

/**
 * One request as the caller gave it, before it is split into messages.
 *
 * @param tokens      [rows, d_model]
 * @param rows        the request's tokens
 * @param importance  [rows], or null for all 1.0
 * @param wantRouting whether the answer carries the routing report
 * @param options     the per-request choices
 * @param output      [rows, d_model] or longer for the answer's rows, written as they arrive; or null for
 *                    an array of the answer's own
 */
record ClientRequest(
    float[] tokens, int rows, float[] importance, boolean wantRouting, RequestOptions options, float[] output)
{
}
