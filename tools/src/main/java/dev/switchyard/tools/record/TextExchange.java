package dev.switchyard.tools.record;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One recorded completions or chat request and the answer it got ({@code serve --openai --record}).
 *
 * @param arrivalNs System.nanoTime() at the server when it arrived
 * @param path      the route, e.g. {@code /v1/completions}
 * @param body      the request body as received
 * @param answer    {@code status}, {@code stream}, and {@code text}, {@code token_ids}, {@code finish_reason},
 *                  {@code usage}, or {@code error}
 */
public record TextExchange(long arrivalNs, String path, String body, JsonNode answer)
{
    public int status()
    {
        return answer.path("status").asInt();
    }
}
