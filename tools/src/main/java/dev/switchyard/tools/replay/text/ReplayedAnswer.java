package dev.switchyard.tools.replay.text;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An answer a replay got, in the shape a recording keeps: the text, ids and finish reason of a whole answer,
 * or assembled from a stream's chunks; or the error.
 *
 * @param status  HTTP status, or -1 when no answer came (the detail says why)
 * @param ids     the ids the answer listed ({@code X-Switchyard-Token-Ids}), null when it listed none
 * @param detail  the error's message, or null
 */
public record ReplayedAnswer(int status, String text, List<Integer> ids, String finishReason, String detail)
{
    private static final ObjectMapper JSON = new ObjectMapper();

    static ReplayedAnswer failed(final String why)
    {
        return new ReplayedAnswer(-1, null, null, null, why);
    }

    /** Reads a whole answer, or a stream of {@code data:} events when the response is one. */
    static ReplayedAnswer read(final int status, final String body, final boolean stream)
    {
        try
        {
            if (!stream || status != 200)
            {
                final JsonNode root = JSON.readTree(body);
                if (status != 200 || root.has("error"))
                {
                    return new ReplayedAnswer(status, null, null, null, root.path("error").path("message").asText());
                }
                final JsonNode choice = root.path("choices").path(0);
                final List<Integer> ids = choice.has("token_ids") ? new ArrayList<>() : null;
                choice.path("token_ids").forEach(id -> ids.add(id.asInt()));
                final String text = choice.has("message") ? choice.path("message").path("content").asText() :
                    choice.path("text").asText();
                return new ReplayedAnswer(status, text, ids, choice.path("finish_reason").asText(null), null);
            }
            return fromStream(body);
        }
        catch (final java.io.IOException ex)
        {
            return new ReplayedAnswer(status, null, null, null, "the answer is not JSON: " + ex.getMessage());
        }
    }

    private static ReplayedAnswer fromStream(final String body) throws java.io.IOException
    {
        final StringBuilder text = new StringBuilder();
        List<Integer> ids = null;
        String finish = null;
        boolean done = false;
        for (final String line : body.split("\n"))
        {
            if (!line.startsWith("data: "))
            {
                continue;
            }
            final String data = line.substring(6).trim();
            if (data.equals("[DONE]"))
            {
                done = true;
                continue;
            }
            final JsonNode chunk = JSON.readTree(data);
            if (chunk.has("error"))
            {
                return new ReplayedAnswer(500, null, null, null, chunk.path("error").path("message").asText());
            }
            final JsonNode choice = chunk.path("choices").path(0);
            text.append(choice.has("delta") ? choice.path("delta").path("content").asText("") :
                choice.path("text").asText(""));
            if (choice.has("token_ids"))
            {
                ids = ids == null ? new ArrayList<>() : ids;
                for (final JsonNode id : choice.path("token_ids"))
                {
                    ids.add(id.asInt());
                }
            }
            if (choice.hasNonNull("finish_reason"))
            {
                finish = choice.path("finish_reason").asText();
            }
        }
        return done ? new ReplayedAnswer(200, text.toString(), ids, finish, null) :
            new ReplayedAnswer(-1, null, null, null, "the stream ended without data: [DONE]");
    }
}
