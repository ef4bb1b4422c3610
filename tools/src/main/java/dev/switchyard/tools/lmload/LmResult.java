package dev.switchyard.tools.lmload;

import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The end of a language-model run. Histograms are in ns: TTFT from each request's intended send time to its first
 * token event, ITL between consecutive token events of a request, E2E from the intended send time to the end of an
 * OK answer, lateness from the intended to the actual send.
 *
 * @param seconds        from the start to the last request's end
 * @param sent           requests sent; each is in exactly one of {@code outcomes}
 * @param outcomes       requests by {@link Outcomes} bucket
 * @param firstMessages  the first error message of each bucket that had one
 * @param finishReasons  OK answers by finish_reason (length: max_tokens reached; stop: EOS)
 * @param tokens         tokens received, every request
 * @param okTokens       tokens of OK answers
 * @param reportedTokens the server's usage.completion_tokens summed over OK answers
 * @param ok             requests that ended OK
 * @param good           OK requests that met the objective
 * @param perSecond      one entry per second of the run
 * @param notes          lines the report adds (what was clipped, what failed)
 */
public record LmResult(String title, double seconds, long sent, Map<String, Long> outcomes,
    Map<String, String> firstMessages, Map<String, Long> finishReasons, long tokens, long okTokens,
    long reportedTokens, long ok, long good, Slo slo, Histogram ttft, Histogram itl, Histogram e2e,
    Histogram lateness, List<LmSecond> perSecond, List<String> notes)
{
    /** Requests counted in some outcome: equals {@link #sent} in every run. */
    public long accounted()
    {
        return outcomes.values().stream().mapToLong(Long::longValue).sum();
    }

    public double perSecond(final long count)
    {
        return seconds <= 0 ? 0 : count / seconds;
    }

    /** Percentile p (100: the max) of a histogram in ms, 0 when empty. */
    public static double ms(final Histogram h, final double p)
    {
        if (h.getTotalCount() == 0)
        {
            return 0;
        }
        return (p >= 100 ? h.getMaxValue() : h.getValueAtPercentile(p)) / 1e6;
    }
}
