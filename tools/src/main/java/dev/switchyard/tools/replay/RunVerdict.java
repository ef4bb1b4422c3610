package dev.switchyard.tools.replay;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether an open-loop run failed, as one line. A run fails when the gateway went away during it,
 * when requests were never answered, when compared answers differ from the recording, or, when
 * answers are not compared, when more than half of the answers are errors: any status but OK and
 * DEGRADED (a degraded answer is the one its request asked for when an expert is unreachable).
 */
public final class RunVerdict
{
    private RunVerdict()
    {
    }

    /**
     * @param statuses answers by status name, as {@code RunStats.statuses()} gives them
     * @param check    the comparison with the recording, or null when answers were not compared
     * @return why the run failed, one line, or null when it did not
     */
    public static String failure(
        final RunEnd end, final long sent, final Map<String, Long> statuses, final AnswerCheck check)
    {
        if (end.gatewayLost())
        {
            return String.format(Locale.ROOT, "FAILED: the gateway is gone; stopped %.1f s into the run, after %d " +
                "requests sent (%s)", end.lostAtNs() / 1e9, sent, end.lostGateway());
        }
        if (end.unanswered() > 0)
        {
            return "FAILED: " + end.unanswered() + " of " + sent + " requests were never answered";
        }
        if (check != null)
        {
            return check.passed() ? null : "FAILED: answers differ from the recording (listed above)";
        }
        long answered = 0;
        long errors = 0;
        final StringBuilder which = new StringBuilder();
        for (final Map.Entry<String, Long> e : new TreeMap<>(statuses).entrySet())
        {
            answered += e.getValue();
            if (!e.getKey().equals("OK") && !e.getKey().equals("DEGRADED"))
            {
                errors += e.getValue();
                which.append(which.isEmpty() ? "" : ", ").append(e.getKey().toLowerCase(Locale.ROOT)).append(' ')
                    .append(e.getValue());
            }
        }
        if (2 * errors > answered)
        {
            return "FAILED: most answers were errors: " + errors + " of " + answered + " (" + which + ")";
        }
        return null;
    }

    /** A note for a run whose sender fell behind, or null. */
    public static String behindNote(final RunEnd end)
    {
        return end.cutShort() ? String.format(Locale.ROOT, "the sender fell %.1f s behind its schedule: requests " +
            "still due when the run's time was up were not sent", end.behindNs() / 1e9) : null;
    }
}
