package dev.switchyard.node.http.openai;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Fields of OpenAI's API (and of vLLM's, which load-test tools send) that change the answer but are
 * not served. Each is refused with one error naming it, unless it holds the value that changes
 * nothing (clients often send top_p = 1 or the penalties at 0 explicitly): a caller never gets text
 * sampled otherwise than it asked for.
 */
final class UnservedFields
{
    /** A number field and the one value that leaves sampling as it is. */
    private record Neutral(String field, double value, String what)
    {
    }

    private static final List<Neutral> NUMBERS = List.of(
        new Neutral("top_p", 1, "nucleus sampling"),
        new Neutral("presence_penalty", 0, "penalties"),
        new Neutral("frequency_penalty", 0, "penalties"),
        new Neutral("repetition_penalty", 1, "penalties"),
        new Neutral("min_p", 0, "min-p sampling"));

    private UnservedFields()
    {
    }

    /** @throws OpenAiError naming the first field the request sets to a value that is not served */
    static void refuse(final JsonNode body, final boolean chat)
    {
        for (final Neutral n : NUMBERS)
        {
            if (Params.number(body, n.field(), n.value()) != n.value())
            {
                throw OpenAiError.invalid(n.field(), n.field() + " is not served (" + n.what() + "): leave it out " +
                    "or set it to " + (int)n.value());
            }
        }
        final int topK = Params.integer(body, "top_k", -1, -1, Integer.MAX_VALUE);
        if (topK > 0)
        {
            throw OpenAiError.invalid("top_k", "top_k is not served: leave it out or set it to -1 or 0");
        }
        if (Params.integer(body, "best_of", 1, 1, Integer.MAX_VALUE) != 1)
        {
            throw OpenAiError.invalid("best_of", "best_of is not served: one choice per request");
        }
        final JsonNode bias = body.path("logit_bias");
        if (!bias.isMissingNode() && !bias.isNull() && !(bias.isObject() && bias.isEmpty()))
        {
            throw OpenAiError.invalid("logit_bias", "logit_bias is not served");
        }
        if (chat)
        {
            refuseChat(body);
        }
        else
        {
            refuseCompletion(body);
        }
    }

    private static void refuseChat(final JsonNode body)
    {
        if (body.hasNonNull("tools") || body.hasNonNull("functions"))
        {
            throw OpenAiError.invalid(body.hasNonNull("tools") ? "tools" : "functions", "tools are not served");
        }
        final JsonNode format = body.path("response_format");
        if (!format.isMissingNode() && !format.isNull() && !"text".equals(format.path("type").asText()))
        {
            throw OpenAiError.invalid("response_format", "response_format " +
                (format.isObject() ? format.path("type") : format) + " is not served: leave it out or give " +
                "{\"type\": \"text\"}");
        }
    }

    private static void refuseCompletion(final JsonNode body)
    {
        if (Params.bool(body, "echo"))
        {
            throw OpenAiError.invalid("echo", "echo is not served");
        }
        if (body.hasNonNull("suffix"))
        {
            throw OpenAiError.invalid("suffix", "suffix is not served");
        }
    }
}
