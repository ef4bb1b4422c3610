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
        refused(server.post("/v1/completions", "{\"prompt\": [\"the\", \"a\"]}"), 400, "invalid_request_error",
            "prompt", null, "prompt holds 2 prompts: send one prompt per request");
        final JsonNode models = OpenAiServer.json(server.get("/v1/models"));
        assertEquals("list", models.get("object").asText());
        assertEquals("mixtral", models.get("data").get(0).get("id").asText());
    }

    /**
     * Sampling fields that are not served are refused, naming the field, unless they hold the value that
     * changes nothing: clients that send top_p 1 or the penalties at 0 are answered.
     */
    @Test
    void unservedSamplingFieldsAreRefusedUnlessNeutral() throws Exception
    {
        final String[][] refusedFields = {
            {"/v1/completions", "\"top_p\": 0.9", "top_p", "top_p is not served (nucleus sampling)"},
            {"/v1/completions", "\"presence_penalty\": 0.5", "presence_penalty", "presence_penalty is not served"},
            {"/v1/completions", "\"frequency_penalty\": -1", "frequency_penalty", "frequency_penalty is not served"},
            {"/v1/completions", "\"repetition_penalty\": 1.1", "repetition_penalty", "repetition_penalty is not"},
            {"/v1/completions", "\"min_p\": 0.05", "min_p", "min_p is not served"},
            {"/v1/completions", "\"top_k\": 40", "top_k", "top_k is not served"},
            {"/v1/completions", "\"best_of\": 3", "best_of", "best_of is not served"},
            {"/v1/completions", "\"logit_bias\": {\"5\": 100}", "logit_bias", "logit_bias is not served"},
            {"/v1/completions", "\"echo\": true", "echo", "echo is not served"},
            {"/v1/chat/completions", "\"response_format\": {\"type\": \"json_object\"}", "response_format",
                "response_format \"json_object\" is not served"},
            {"/v1/chat/completions", "\"tools\": [{\"type\": \"function\"}]", "tools", "tools are not served"}};
        for (final String[] f : refusedFields)
        {
            refused(server.post(f[0], body(f[0], f[1])), 400, "invalid_request_error", f[2], null, f[3]);
        }
        final String neutral = "\"top_p\": 1, \"presence_penalty\": 0, \"frequency_penalty\": 0, \"top_k\": -1, " +
            "\"best_of\": 1, \"logit_bias\": {}, \"max_tokens\": 2, \"temperature\": 0";
        for (final String route : new String[] {"/v1/completions", "/v1/chat/completions"})
        {
            final HttpResponse<String> r = server.post(route, body(route, neutral +
                (route.contains("chat") ? ", \"response_format\": {\"type\": \"text\"}" : "")));
            assertEquals(200, r.statusCode(), route + ": " + r.body());
        }
    }

    private static String body(final String route, final String fields)
    {
        return route.contains("chat") ?
            "{\"messages\": [{\"role\": \"user\", \"content\": \"the\"}], " + fields + "}" :
            "{\"prompt\": \"the\", " + fields + "}";
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
