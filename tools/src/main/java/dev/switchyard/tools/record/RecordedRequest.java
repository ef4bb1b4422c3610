package dev.switchyard.tools.record;

/**
 * One request a client made, as recorded (the parts of a request the client split over several
 * messages are joined back), and the answer it got.
 *
 * @param arrivalNs      arrival of its first part at the gateway, ns from the recording's first request
 * @param keepApart      exact mode (groups of its own) rather than shared groups
 * @param deadlineMicros the deadline it asked for, 0 for the gateway's
 * @param tokens         [rows, d_model] (empty when the recording was only summarized)
 * @param importance     [rows], or null for all 1.0
 * @param status         the answer's status name (AnswerStatus), or null when no answer was recorded
 * @param output         [rows, d_model] when the answer was OK, else null
 * @param routing        the routing report answered, when the client asked for it and the answer was OK, else null
 * @param latencyNs      from arrival to the last part's answer leaving the gateway, -1 without answer
 */
public record RecordedRequest(
    long arrivalNs,
    long clientId,
    long firstRequestId,
    int parts,
    int layer,
    boolean keepApart,
    boolean wantRouting,
    long deadlineMicros,
    int rows,
    float[] tokens,
    float[] importance,
    String status,
    String detail,
    float[] output,
    RecordedRouting routing,
    long latencyNs)
{
    public boolean answered()
    {
        return status != null;
    }
}
