package dev.switchyard.client;

/**
 * The answer to one request.
 *
 * @param status  OK, or why there is no output
 * @param detail  one line explaining an error; empty when OK
 * @param rows    tokens answered (0 on error)
 * @param cols    d_model
 * @param output  [rows, cols] the layer's outputs, in request order (in the caller's array, which may be
 *                longer, when the request gave one); empty on error
 * @param routing the routing report when it was asked for and the request succeeded, else null
 */
public record InferAnswer(long requestId, AnswerStatus status, String detail, int rows, int cols, float[] output,
    Routing routing)
{
    /**
     * The routing report of docs/contracts.md §2 for these tokens.
     *
     * @param capacity [groups] expert capacity of each group the request's tokens were in
     * @param auxLoss  [groups] balancing loss of each such group
     * @param expert   [rows, entries] experts in the gating's order (the seed: first and second), -1
     *                 when dropped or absent
     * @param position [rows, entries] slot in that expert's block, -1 when dropped or absent
     * @param gate     [rows, entries] final combine weights, 0 when dropped or absent
     * @param entries  entries per token: 2 for the seed's top-2 gating, a checkpoint family's top-k
     */
    public record Routing(int[] capacity, double[] auxLoss, int[] expert, int[] position, float[] gate, int entries)
    {
        /** The seed's report: two entries per token. */
        public Routing(final int[] capacity, final double[] auxLoss, final int[] expert, final int[] position,
            final float[] gate)
        {
            this(capacity, auxLoss, expert, position, gate, 2);
        }
    }

    public boolean ok()
    {
        return status == AnswerStatus.OK;
    }

    /** Computed without experts that could not be reached ({@link #detail()} names them): output present. */
    public boolean degraded()
    {
        return status == AnswerStatus.DEGRADED;
    }

    static InferAnswer failed(final long requestId, final AnswerStatus status, final String detail)
    {
        return new InferAnswer(requestId, status, detail, 0, 0, new float[0], null);
    }
}
