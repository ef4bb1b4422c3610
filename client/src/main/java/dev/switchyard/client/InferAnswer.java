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
     * @param expert   [rows, 2] first and second expert, -1 when dropped or absent
     * @param position [rows, 2] slot in that expert's block, -1 when dropped or absent
     * @param gate     [rows, 2] final combine weights, 0 when dropped or absent
     */
    public record Routing(int[] capacity, double[] auxLoss, int[] expert, int[] position, float[] gate)
    {
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
