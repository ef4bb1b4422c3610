package dev.switchyard.tools.lmload;

/**
 * One second of a run: second s counts what happened from s to s + 1 s after the start (a token when it came, a
 * request when it was sent and when it ended). Percentiles are NaN in a second without samples.
 *
 * @param sent     requests sent
 * @param ok       requests that ended OK
 * @param errors   requests that ended otherwise
 * @param tokens   tokens received
 * @param inFlight requests sent and not ended at the end of the second
 */
public record LmSecond(int second, long sent, long ok, long errors, long tokens, long inFlight, double ttftP50Ms,
    double ttftP99Ms, double itlP50Ms, double itlP99Ms, double e2eP50Ms, double e2eP99Ms)
{
}
