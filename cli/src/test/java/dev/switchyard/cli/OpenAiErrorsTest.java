package dev.switchyard.cli;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchyard.transformer.serving.End;
import dev.switchyard.transformer.serving.EngineLimits;
import dev.switchyard.transformer.serving.EngineObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OpenAI's error objects for bad requests, 429 while the engine (one sequence, no queue) is busy, and a
 * streaming caller that goes away freeing the engine.
 */
class OpenAiErrorsTest
{
    @TempDir
    static Path dir;

    private static final AtomicInteger CANCELLED = new AtomicInteger();
    private static OpenAiServer server;

    @BeforeAll
    static void start() throws Exception
    {
        final Path model = TextCheckpoints.copy("mixtral", dir);
        // No EOS: the held stream below runs until it is cancelled, whatever it samples.
        Files.writeString(model.resolve("generation_config.json"), "{\"eos_token_id\": null}");
        server = new OpenAiServer(model, new EngineLimits(1, 200_000, 0),
            new EngineObserver()
            {
                @Override
                public void ended(final End.Reason reason)
                {
                    if (reason == End.Reason.CANCELLED)
                    {
                        CANCELLED.incrementAndGet();
                    }
                }
            }, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    private static void refused(final HttpResponse<String> r, final int status, final String type, final String param,
        final String code, final String message) throws Exception
    {
        assertEquals(status, r.statusCode(), r.body());
        final JsonNode e = OpenAiServer.json(r).get("error");
        assertEquals(type, e.get("type").asText());
        assertEquals(param, e.get("param").isNull() ? null : e.get("param").asText());
        assertEquals(code, e.get("code").isNull() ? null : e.get("code").asText());
        assertTrue(e.get("message").asText().contains(message), e.toString());
    }

    @Test
    void badRequestsGetOpenAiErrorObjects() throws Exception
    {
        refused(server.post("/v1/completions", "{\"model\": \"gpt-4\", \"prompt\": \"the\"}"), 404,
            "invalid_request_error", null, "model_not_found", "the model 'gpt-4' does not exist");
        refused(server.post("/v1/completions", "{\"prompt\": \"the\", \"temperature\": 3}"), 400,
            "invalid_request_error", "temperature", null, "temperature must be between 0 and 2");
        refused(server.post("/v1/completions", "{\"prompt\": [1, 64]}"), 400, "invalid_request_error", "prompt", null,
            "prompt: token 1 (64) is not an id in 0..63");
        refused(server.post("/v1/completions", "{\"prompt\": \"the\", \"max_tokens\": 0}"), 400,
            "invalid_request_error", "max_tokens", null, "max_tokens must be an integer from 1");
        refused(server.post("/v1/completions", "{\"prompt\": "), 400, "invalid_request_error", null, null,
            "the body is not JSON");
        refused(server.post("/v1/chat/completions", "{\"messages\": []}"), 400, "invalid_request_error", "messages",
            null, "messages must be a non-empty list");
        refused(server.post("/v1/completions", "{\"prompt\": \"the\", \"n\": 2}"), 400, "invalid_request_error", "n",
            null, "n must be 1");
        refused(server.post("/v1/completions", "{\"prompt\": \"the\", \"max_tokens\": 300000}"), 400,
            "invalid_request_error", null, null, "exceed the engine's token budget 200000");
        refused(server.get("/v1/completions"), 405, "invalid_request_error", null, "method_not_allowed",
            "/v1/completions takes POST");
        final JsonNode models = OpenAiServer.json(server.get("/v1/models"));
        assertEquals("list", models.get("object").asText());
        assertEquals("mixtral", models.get("data").get(0).get("id").asText());
    }

    @Test
    void busyEngineAnswers429AndAGoneCallerFreesIt() throws Exception
    {
        // One long stream holds the engine's only sequence; the queue holds none.
        final HttpResponse<InputStream> held = server.client.send(HttpRequest.newBuilder(
                server.uri("/v1/completions")).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                "{\"prompt\": \"the\", \"max_tokens\": 150000, \"stream\": true}")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, held.statusCode());
        final BufferedReader in = new BufferedReader(new InputStreamReader(held.body(), StandardCharsets.UTF_8));
        assertTrue(in.readLine().startsWith("data: "), "the first piece has come: the sequence runs");
        refused(server.post("/v1/completions", "{\"prompt\": \"the\", \"max_tokens\": 2}"), 429, "rate_limit_error",
            null, "overloaded", "1 sequences running and 0 waiting");
        final int cancelled = CANCELLED.get();
        in.close(); // the caller goes away: its sequence ends at the engine's next step
        awaitRoom("the gone caller's sequence was not cancelled");
        assertEquals(cancelled + 1, CANCELLED.get(), "the held stream ended by cancellation, not by its length");
    }

    @Test
    void aWholeAnswerPastTheTimeoutIsCancelled() throws Exception
    {
        final int cancelled = CANCELLED.get();
        refused(server.post("/v1/completions", "{\"prompt\": \"the\", \"max_tokens\": 150000}"), 504, "timeout",
            null, "timeout", "no answer within 2000 ms");
        awaitRoom("the timed-out sequence was not cancelled");
        assertEquals(cancelled + 1, CANCELLED.get());
    }

    /** Waits (bounded) until a small request is admitted again. */
    private static void awaitRoom(final String why) throws Exception
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> after = server.post("/v1/completions", "{\"prompt\": \"the\", \"max_tokens\": 2}");
        while (after.statusCode() == 429 && System.nanoTime() < deadline)
        {
            after = server.post("/v1/completions", "{\"prompt\": \"the\", \"max_tokens\": 2}");
        }
        assertEquals(200, after.statusCode(), why + ": " + after.body());
    }
}
