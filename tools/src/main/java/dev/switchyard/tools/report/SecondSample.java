package dev.switchyard.tools.report;

import java.util.Map;

/**
 * One second of a run.
 *
 * @param second      seconds since the run started
 * @param sent        requests sent in this second
 * @param answered    answers received in this second (any status)
 * @param okTokens    tokens answered OK in this second
 * @param inFlight    requests sent and not answered at the end of this second
 * @param errors      answers other than OK in this second, by status
 * @param p50Ms       latency percentiles of this second's answers, ms (0 when none)
 * @param expertRows  rows each expert received in this second (from the gateway's metrics), or null
 * @param expertDrops assignments meant for each expert and dropped in this second (every cause), or
 *                    null when the gateway does not count drops per expert
 * @param dropped     token assignments the gateway dropped in this second (capacity, policy), or -1
 */
public record SecondSample(
    int second,
    long sent,
    long answered,
    long okTokens,
    long inFlight,
    Map<String, Long> errors,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double maxMs,
    long[] expertRows,
    long[] expertDrops,
    long dropped)
{
}
