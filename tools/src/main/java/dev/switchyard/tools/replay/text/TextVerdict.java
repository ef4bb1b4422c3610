package dev.switchyard.tools.replay.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.tools.record.TextExchange;

/**
 * What a replay of text traffic found: each deterministic answer (temperature 0, or a {@code seed} given) must
 * have the recorded ids, text and finish reason. Sampled answers without a seed are not comparable, nor are
 * answers that depend on the load (429, 503, 504, a client gone) on either side; a replayed request that got
 * no answer, or an overload where the recording has an answer, is an error. An error the recording has
 * (400, 404) must come again.
 */
public final class TextVerdict
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private int verified;
    private int mismatched;
    private int notComparable;
    private int errors;
    private final List<String> mismatches = new ArrayList<>();
    private String firstError;

    /** Compares the {@code index}th exchange's recorded answer with the replayed one. */
    public void compare(final int index, final TextExchange recorded, final ReplayedAnswer replayed,
        final long offsetNs)
    {
        final int was = recorded.status();
        final String where = String.format(Locale.ROOT, "request %d (%s at +%.3f s)", index, recorded.path(),
            offsetNs / 1e9);
        if (loadDependent(was) || loadDependent(replayed.status()) && was != 200)
        {
            notComparable++;
        }
        else if (replayed.status() < 0 || loadDependent(replayed.status()))
        {
            errors++;
            firstError = firstError != null ? firstError : where + ": " + (replayed.status() < 0 ? "" :
                replayed.status() + " ") + replayed.detail();
        }
        else if (was != replayed.status())
        {
            mismatch(where + ": recorded status " + was + ", replayed " + replayed.status() + " (" +
                replayed.detail() + ")");
        }
        else if (was != 200)
        {
            verified++;
        }
        else if (!deterministic(recorded.body()))
        {
            notComparable++;
        }
        else
        {
            compareAnswers(where, recorded.answer(), replayed);
        }
    }

    private void compareAnswers(final String where, final JsonNode recorded, final ReplayedAnswer replayed)
    {
        final List<Integer> ids = new ArrayList<>();
        recorded.path("token_ids").forEach(id -> ids.add(id.asInt()));
        final String text = recorded.path("text").asText();
        final String finish = recorded.path("finish_reason").asText(null);
        if (ids.equals(replayed.ids()) && text.equals(replayed.text()) && java.util.Objects.equals(finish,
            replayed.finishReason()))
        {
            verified++;
            return;
        }
        mismatch(where + ": recorded ids " + ids + " text " + JSON.valueToTree(text) + " finish " + finish +
            "; replayed ids " + replayed.ids() + " text " + JSON.valueToTree(replayed.text()) + " finish " +
            replayed.finishReason());
    }

    private void mismatch(final String what)
    {
        mismatched++;
        mismatches.add(what);
    }

    private static boolean loadDependent(final int status)
    {
        return status == 429 || status == 503 || status == 504 || status == 499;
    }

    /** Temperature 0, or a seed: the ids depend on the request alone (the engine's batch invariance). */
    static boolean deterministic(final String body)
    {
        try
        {
            final JsonNode root = JSON.readTree(body);
            final JsonNode t = root.path("temperature");
            return t.isNumber() && t.asDouble() == 0 || root.hasNonNull("seed");
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return false;
        }
    }

    public int verified()
    {
        return verified;
    }

    public int mismatched()
    {
        return mismatched;
    }

    public int notComparable()
    {
        return notComparable;
    }

    public int errors()
    {
        return errors;
    }

    /** Each mismatch, in request order. */
    public List<String> mismatches()
    {
        return List.copyOf(mismatches);
    }

    /** The first request that got no answer, or null. */
    public String firstError()
    {
        return firstError;
    }

    /** One line of counts. */
    public String summary()
    {
        return "verified " + verified + ", mismatched " + mismatched + ", not comparable " + notComparable +
            " (sampled without a seed, or an overload/timeout), errors " + errors;
    }
}
