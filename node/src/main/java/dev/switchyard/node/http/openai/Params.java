package dev.switchyard.node.http.openai;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The sampling fields both completion routes share, read and checked from a request body. Defaults follow
 * OpenAI's (max_tokens 16, temperature 1) except the seed: 0 when absent, so a request without one repeats.
 *
 * @param maxTokens    new ids at most
 * @param temperature  0 greedy
 * @param seed         the sampling seed
 * @param stop         up to 4 strings that end the text (not included)
 * @param stream       whether the answer is server-sent events
 * @param includeUsage stream_options.include_usage: a last chunk with usage
 * @param ignoreEos    {@code ignore_eos} (vLLM's extension): the model's EOS ids do not end the generation, so that
 *                     a load test gets the output lengths it asked for
 */
record Params(int maxTokens, double temperature, long seed, List<String> stop, boolean stream, boolean includeUsage,
    boolean ignoreEos)
{
    private static final int MAX_STOPS = 4;

    static Params read(final JsonNode body, final String maxTokensField)
    {
        final JsonNode n = body.path("n");
        if (!n.isMissingNode() && !n.isNull() && !(n.canConvertToInt() && n.asInt() == 1))
        {
            throw OpenAiError.invalid("n", "n must be 1 (one choice per request)");
        }
        final int maxTokens = integer(body, maxTokensField, 16, 1, Integer.MAX_VALUE);
        final double temperature = number(body, "temperature", 1.0);
        if (temperature < 0 || temperature > 2)
        {
            throw OpenAiError.invalid("temperature", "temperature must be between 0 and 2 (got " + temperature + ")");
        }
        final JsonNode seed = body.path("seed");
        if (!seed.isMissingNode() && !seed.isNull() && !seed.canConvertToLong())
        {
            throw OpenAiError.invalid("seed", "seed must be an integer");
        }
        return new Params(maxTokens, temperature, seed.asLong(0), stops(body.path("stop")),
            bool(body, "stream"), bool(body.path("stream_options"), "include_usage"), bool(body, "ignore_eos"));
    }

    private static List<String> stops(final JsonNode stop)
    {
        final List<String> out = new ArrayList<>();
        if (stop.isMissingNode() || stop.isNull())
        {
            return out;
        }
        if (stop.isTextual())
        {
            out.add(stop.asText());
        }
        else if (stop.isArray() && stop.size() <= MAX_STOPS)
        {
            stop.forEach(s ->
            {
                if (!s.isTextual())
                {
                    throw OpenAiError.invalid("stop", "stop must be a string or a list of up to 4 strings");
                }
                out.add(s.asText());
            });
        }
        else
        {
            throw OpenAiError.invalid("stop", "stop must be a string or a list of up to 4 strings");
        }
        if (out.stream().anyMatch(String::isEmpty))
        {
            throw OpenAiError.invalid("stop", "a stop string must not be empty");
        }
        return out;
    }

    static int integer(final JsonNode body, final String field, final int absent, final int min, final int max)
    {
        final JsonNode v = body.path(field);
        if (v.isMissingNode() || v.isNull())
        {
            return absent;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max)
        {
            throw OpenAiError.invalid(field, field + " must be an integer from " + min + " to " + max + " (got " + v +
                ")");
        }
        return v.asInt();
    }

    static double number(final JsonNode body, final String field, final double absent)
    {
        final JsonNode v = body.path(field);
        if (v.isMissingNode() || v.isNull())
        {
            return absent;
        }
        if (!v.isNumber())
        {
            throw OpenAiError.invalid(field, field + " must be a number (got " + v + ")");
        }
        return v.asDouble();
    }

    static boolean bool(final JsonNode body, final String field)
    {
        final JsonNode v = body.path(field);
        if (v.isMissingNode() || v.isNull())
        {
            return false;
        }
        if (!v.isBoolean())
        {
            throw OpenAiError.invalid(field, field + " must be true or false (got " + v + ")");
        }
        return v.asBoolean();
    }
}
