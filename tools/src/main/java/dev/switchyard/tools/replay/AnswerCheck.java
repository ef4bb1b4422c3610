package dev.switchyard.tools.replay;

import java.util.ArrayList;
import java.util.List;

import dev.switchyard.client.InferAnswer;
import dev.switchyard.tools.record.RecordedRequest;
import dev.switchyard.tools.record.RecordedRouting;

/**
 * Compares replayed answers with the recorded ones. An exact-mode request computes the same bits on
 * any cluster layout, so its output must be bit-identical; a shared-mode request shared its groups
 * with whatever else was in flight, so only its status and shape are compared. An answer whose
 * status differs from the recorded one (an overload or a timeout on one side) has no output to
 * compare and is counted apart. Where the recording holds the routing report of an exact request,
 * the replayed routing (expert, position and gate of each token) must be identical too. Thread-safe.
 */
public final class AnswerCheck
{
    private static final int MAX_LISTED = 20;

    private long exactIdentical;
    private long exactDiffering;
    private long sharedMatching;
    private long sharedDiffering;
    private long statusDiffers;
    private long notRecorded;
    private long routingIdentical;
    private long routingDiffering;
    private final List<String> differences = new ArrayList<>();

    public synchronized void check(final ScheduledRequest sent, final InferAnswer answer)
    {
        final RecordedRequest expected = sent.expected();
        if (expected == null || !expected.answered())
        {
            notRecorded++;
            return;
        }
        if (!expected.status().equals(answer.status().name()))
        {
            statusDiffers++;
            return;
        }
        if (!answer.ok())
        {
            if (expected.keepApart())
            {
                exactIdentical++;
            }
            else
            {
                sharedMatching++;
            }
            return;
        }
        if (!expected.keepApart())
        {
            if (answer.rows() == expected.rows() && answer.cols() * answer.rows() == expected.output().length)
            {
                sharedMatching++;
            }
            else
            {
                sharedDiffering++;
                list("request " + sent.index() + " (shared mode): " + answer.rows() + " x " + answer.cols() +
                    " answered, " + expected.rows() + " rows recorded");
            }
            return;
        }
        final String difference = compare(answer.output(), expected.output(), answer.cols());
        if (difference == null)
        {
            exactIdentical++;
        }
        else
        {
            exactDiffering++;
            list(name(sent) + difference);
        }
        if (expected.routing() != null)
        {
            final String routingDifference = compareRouting(answer.routing(), expected.routing());
            if (routingDifference == null)
            {
                routingIdentical++;
            }
            else
            {
                routingDiffering++;
                list(name(sent) + "routing: " + routingDifference);
            }
        }
    }

    private static String name(final ScheduledRequest sent)
    {
        final RecordedRequest expected = sent.expected();
        return "request " + sent.index() + " (recorded as client " + expected.clientId() + " request " +
            expected.firstRequestId() + ", " + expected.rows() + " tokens): ";
    }

    /** Null when every token's experts, positions and gates are identical, else the first differing token. */
    static String compareRouting(final InferAnswer.Routing actual, final RecordedRouting expected)
    {
        if (actual == null)
        {
            return "no routing report was answered";
        }
        if (actual.entries() != expected.entries())
        {
            return actual.entries() + " entries per token instead of " + expected.entries();
        }
        final int rows = expected.rows();
        final int n = expected.entries();
        for (int t = 0; t < rows; t++)
        {
            for (int k = n * t; k < n * t + n; k++)
            {
                if (k >= actual.expert().length || actual.expert()[k] != expected.expert()[k] ||
                    actual.position()[k] != expected.position()[k] ||
                    Float.floatToRawIntBits(actual.gate()[k]) != Float.floatToRawIntBits(expected.gate()[k]))
                {
                    return "token " + t + " differs first (" + routed(actual, k) + " instead of " +
                        routed(expected.expert(), expected.position(), expected.gate(), k, n) + ")";
                }
            }
        }
        return null;
    }

    private static String routed(final InferAnswer.Routing r, final int k)
    {
        return k < r.expert().length ? routed(r.expert(), r.position(), r.gate(), k, r.entries()) : "nothing";
    }

    private static String routed(final int[] expert, final int[] position, final float[] gate, final int k,
        final int entries)
    {
        final int j = k % entries;
        final String which = entries == 2 ? (j == 0 ? "first" : "second") : "choice " + (j + 1);
        return which + (entries == 2 ? " choice" : "") + " expert " + expert[k] + " position " + position[k] +
            " gate " + gate[k];
    }

    /** Null when bit-identical, else the first differing token and the largest difference. */
    static String compare(final float[] actual, final float[] expected, final int d)
    {
        int first = -1;
        int firstColumn = -1;
        double largest = 0;
        for (int i = 0; i < expected.length; i++)
        {
            final float a = i < actual.length ? actual[i] : Float.NaN;
            if (Float.floatToRawIntBits(a) != Float.floatToRawIntBits(expected[i]))
            {
                if (first < 0)
                {
                    first = i / d;
                    firstColumn = i % d;
                }
                final double diff = Math.abs((double)a - expected[i]);
                largest = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(largest, diff);
            }
        }
        if (first < 0)
        {
            return null;
        }
        return "token " + first + " differs first (column " + firstColumn + ": " + actual[first * d + firstColumn] +
            " instead of " + expected[first * d + firstColumn] + "), largest difference " + largest;
    }

    private void list(final String line)
    {
        if (differences.size() < MAX_LISTED)
        {
            differences.add(line);
        }
    }

    public synchronized long exactIdentical()
    {
        return exactIdentical;
    }

    public synchronized long exactDiffering()
    {
        return exactDiffering;
    }

    public synchronized long sharedMatching()
    {
        return sharedMatching;
    }

    public synchronized long sharedDiffering()
    {
        return sharedDiffering;
    }

    public synchronized long statusDiffers()
    {
        return statusDiffers;
    }

    /** Exact-mode answers whose recorded routing report was replayed identically. */
    public synchronized long routingIdentical()
    {
        return routingIdentical;
    }

    public synchronized long routingDiffering()
    {
        return routingDiffering;
    }

    public synchronized long notRecorded()
    {
        return notRecorded;
    }

    /** The first differences found, one line each. */
    public synchronized List<String> differences()
    {
        return List.copyOf(differences);
    }

    public synchronized boolean passed()
    {
        return exactDiffering == 0 && sharedDiffering == 0 && routingDiffering == 0;
    }

    public synchronized String summary()
    {
        return "verified: " + exactIdentical + " exact answers bit-identical, " + exactDiffering + " differing; " +
            sharedMatching + " shared-mode answers matching in status and shape only, " + sharedDiffering +
            " differing; " + statusDiffers + " with another status than recorded" +
            (routingIdentical + routingDiffering > 0 ? "; routing of " + (routingIdentical + routingDiffering) +
                " exact answers compared: " + routingIdentical + " identical, " + routingDiffering +
                " differing" : "") +
            (notRecorded > 0 ? "; " + notRecorded + " without a recorded answer" : "");
    }
}
