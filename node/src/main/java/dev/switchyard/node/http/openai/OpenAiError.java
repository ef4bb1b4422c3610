package dev.switchyard.node.http.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error answer in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}} with its status.
 * The message is one line naming what is wrong; {@code param} names the request field, when one is at fault.
 */
final class OpenAiError extends RuntimeException
{
    final int status;
    final String type;
    final String param;
    final String code;

    OpenAiError(final int status, final String type, final String param, final String code, final String message)
    {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    static OpenAiError invalid(final String param, final String message)
    {
        return new OpenAiError(400, "invalid_request_error", param, null, message);
    }

    static OpenAiError notFound(final String code, final String message)
    {
        return new OpenAiError(404, "invalid_request_error", null, code, message);
    }

    static OpenAiError overloaded(final String message)
    {
        return new OpenAiError(429, "rate_limit_error", null, "overloaded", message);
    }

    /** The caller closed its connection before its answer: nobody reads this (nginx's 499). */
    static OpenAiError clientGone()
    {
        return new OpenAiError(499, "invalid_request_error", null, "client_closed_request",
            "the client closed its connection before the answer");
    }

    ObjectNode body(final ObjectMapper json)
    {
        final ObjectNode root = json.createObjectNode();
        final ObjectNode e = root.putObject("error");
        e.put("message", getMessage());
        e.put("type", type);
        e.put("param", param);
        e.put("code", code);
        return root;
    }
}
