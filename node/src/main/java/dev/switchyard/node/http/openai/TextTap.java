package dev.switchyard.node.http.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where the OpenAI routes report each completions or chat request with the answer it got, for a recording.
 * Called once per request, on whatever thread ended it (the engine's, the listener's): it must return at once.
 */
public interface TextTap
{
    /**
     * @param arrivalNs System.nanoTime() when the request's body had been read
     * @param path      the route, e.g. {@code /v1/completions}
     * @param body      the request body as received
     * @param answer    {@code status}, and {@code text}, {@code token_ids}, {@code finish_reason}, {@code usage},
     *                  {@code stream}, or {@code error} (OpenAI's error object's inner part); not changed after
     */
    void exchange(long arrivalNs, String path, byte[] body, ObjectNode answer);
}
