package dev.switchyard.cli;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchyard.transformer.serving.EngineLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAI-compatible routes over a real listener and the real engine (mixtral checkpoint with the word-level
 * tokenizer of testdata/lm/text): answers equal transformers' greedy text, streams equal whole answers, chat
 * prompts are the template's, stop strings and logprobs, and OpenAI's error objects.
 */
class OpenAiCompletionsTest
{
    @TempDir
    static Path dir;

    private static OpenAiServer server;
    private static JsonNode reference;

    @BeforeAll
    static void start() throws Exception
    {
        server = new OpenAiServer(TextCheckpoints.copy("mixtral", dir), new EngineLimits(8, 100_000, 8));
        reference = OpenAiServer.JSON.readTree(TextCheckpoints.text().resolve("reference.json").toFile()).get("mixtral");
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    private static JsonNode complete(final String body) throws Exception
    {
        final HttpResponse<String> r = server.post("/v1/completions", body);
        assertEquals(200, r.statusCode(), r.body());
        return OpenAiServer.json(r);
    }

    /** The texts of a streamed answer's events, and its events as JSON (without [DONE], checked last). */
    static List<JsonNode> stream(final String path, final String body) throws Exception
    {
        final HttpResponse<InputStream> r = server.client.send(HttpRequest.newBuilder(server.uri(path))
            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        final List<JsonNode> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8)))
        {
            String last = null;
            for (String line = in.readLine(); line != null; line = in.readLine())
            {
                if (line.startsWith("data: "))
                {
                    last = line.substring(6);
                    if (!last.equals("[DONE]"))
                    {
                        events.add(OpenAiServer.JSON.readTree(last));
                    }
                }
            }
            assertEquals("[DONE]", last);
        }
        return events;
    }

    @Test
    void greedyCompletionsAreTransformersText() throws Exception
    {
        for (final JsonNode ref : reference)
        {
            final JsonNode answer = complete("{\"model\": \"mixtral\", \"prompt\": \"" + ref.get("prompt").asText() +
                "\", \"max_tokens\": 8, \"temperature\": 0}");
            assertEquals("text_completion", answer.get("object").asText());
            final JsonNode choice = answer.get("choices").get(0);
            assertEquals(ref.get("text").asText(), choice.get("text").asText());
            assertEquals("length", choice.get("finish_reason").asText());
            final int prompt = ref.get("prompt_ids").size();
            assertEquals(prompt, answer.get("usage").get("prompt_tokens").asInt());
            assertEquals(8, answer.get("usage").get("completion_tokens").asInt());
            assertEquals(prompt + 8, answer.get("usage").get("total_tokens").asInt());
            // The same prompt as ids.
            final JsonNode byIds = complete("{\"prompt\": " + ref.get("prompt_ids") + ", \"max_tokens\": 8, " +
                "\"temperature\": 0}");
            assertEquals(ref.get("text").asText(), byIds.get("choices").get(0).get("text").asText());
        }
    }

    @Test
    void streamsEqualWholeAnswers() throws Exception
    {
        final String prompt = reference.get(1).get("prompt").asText();
        for (final String chat : new String[] {"false", "true"})
        {
            final String path = chat.equals("true") ? "/v1/chat/completions" : "/v1/completions";
            final String input = chat.equals("true") ? "\"messages\": [{\"role\": \"user\", \"content\": \"" +
                prompt + "\"}]" : "\"prompt\": \"" + prompt + "\"";
            final String body = "{" + input + ", \"max_tokens\": 12, \"temperature\": 0.9, \"seed\": 5";
            final HttpResponse<String> whole = server.post(path, body + "}");
            assertEquals(200, whole.statusCode(), whole.body());
            final JsonNode w = OpenAiServer.json(whole);
            final List<JsonNode> events = stream(path, body + ", \"stream\": true, \"stream_options\": " +
                "{\"include_usage\": true}}");
            assertTrue(events.size() >= 4, "a chunk per piece, the finish, the usage: " + events);
            final StringBuilder text = new StringBuilder();
            String reason = null;
            for (final JsonNode e : events.subList(0, events.size() - 1))
            {
                final JsonNode c = e.get("choices").get(0);
                text.append(chat.equals("true") ? c.path("delta").path("content").asText("") : c.get("text").asText());
                reason = c.get("finish_reason").isNull() ? reason : c.get("finish_reason").asText();
            }
            final JsonNode wc = w.get("choices").get(0);
            assertEquals(chat.equals("true") ? wc.get("message").get("content").asText() : wc.get("text").asText(),
                text.toString(), path);
            assertEquals(wc.get("finish_reason").asText(), reason);
            assertEquals(w.get("usage"), events.getLast().get("usage"), "the usage chunk");
            assertEquals(0, events.getLast().get("choices").size());
        }
    }

    @Test
    void concurrentAnswersEqualAnswersAlone() throws Exception
    {
        final List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            final String prompt = reference.get(i % 3).get("prompt_ids").toString();
            bodies.add("{\"prompt\": " + prompt + ", \"max_tokens\": " + (4 + 3 * i) + ", \"temperature\": " +
                (i % 2 == 0 ? "0" : "0.7") + ", \"seed\": " + i + ", \"logprobs\": 1}");
        }
        final List<JsonNode> alone = new ArrayList<>();
        for (final String body : bodies)
        {
            alone.add(complete(body).get("choices").get(0));
        }
        final List<CompletableFuture<HttpResponse<String>>> together = new ArrayList<>();
        for (final String body : bodies)
        {
            together.add(server.client.sendAsync(HttpRequest.newBuilder(server.uri("/v1/completions"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < bodies.size(); i++)
        {
            final HttpResponse<String> r = together.get(i).get();
            assertEquals(200, r.statusCode(), r.body());
            // Text, tokens and their logprobs (doubles printed exactly) are the same bits alone and together.
            assertEquals(alone.get(i), OpenAiServer.json(r).get("choices").get(0), "request " + i);
        }
    }

    @Test
    void chatPromptIsTheRenderedTemplate() throws Exception
    {
        // "user : what is the word </s> assistant :" in the fixture's vocabulary, no special tokens added.
        final String ids = "[3, 6, 38, 13, 7, 35, 2, 4, 6]";
        final HttpResponse<String> r = server.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", " +
            "\"content\": \"what is the word\"}], \"max_tokens\": 6, \"temperature\": 0}");
        assertEquals(200, r.statusCode(), r.body());
        final JsonNode chat = OpenAiServer.json(r);
        assertEquals("chat.completion", chat.get("object").asText());
        assertEquals(9, chat.get("usage").get("prompt_tokens").asInt());
        final JsonNode message = chat.get("choices").get(0).get("message");
        assertEquals("assistant", message.get("role").asText());
        final JsonNode plain = complete("{\"prompt\": " + ids + ", \"max_tokens\": 6, \"temperature\": 0}");
        assertEquals(plain.get("choices").get(0).get("text").asText(), message.get("content").asText());
    }

    @Test
    void stopStringsEndTheText() throws Exception
    {
        final JsonNode ref = reference.get(0);
        final String text = ref.get("text").asText(); // " in as it what then with one with"
        final String stop = " it what";
        final JsonNode answer = complete("{\"prompt\": \"" + ref.get("prompt").asText() + "\", \"max_tokens\": 8, " +
            "\"temperature\": 0, \"stop\": [\"zzz\", \"" + stop + "\"]}");
        final JsonNode choice = answer.get("choices").get(0);
        assertEquals(text.substring(0, text.indexOf(stop)), choice.get("text").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
        final List<JsonNode> events = stream("/v1/completions", "{\"prompt\": \"" + ref.get("prompt").asText() +
            "\", \"max_tokens\": 8, \"temperature\": 0, \"stream\": true, \"stop\": \"" + stop + "\"}");
        final StringBuilder streamed = new StringBuilder();
        events.forEach(e -> streamed.append(e.get("choices").get(0).get("text").asText()));
        assertEquals(text.substring(0, text.indexOf(stop)), streamed.toString());
    }

    @Test
    void logprobs() throws Exception
    {
        final JsonNode ref = reference.get(2);
        final JsonNode lp = complete("{\"prompt\": " + ref.get("prompt_ids") + ", \"max_tokens\": 8, " +
            "\"temperature\": 0, \"logprobs\": 2}").get("choices").get(0).get("logprobs");
        assertEquals(8, lp.get("tokens").size());
        for (int i = 0; i < 8; i++)
        {
            final double logprob = lp.get("token_logprobs").get(i).asDouble();
            assertTrue(logprob <= 0, lp.toString());
            final JsonNode top = lp.get("top_logprobs").get(i);
            assertEquals(2, top.size());
            // Greedy: the chosen token is the most likely one.
            assertEquals(logprob, top.get(lp.get("tokens").get(i).asText()).asDouble(), 1e-12);
        }
        final JsonNode chat = OpenAiServer.json(server.post("/v1/chat/completions", "{\"messages\": [{\"role\": " +
            "\"user\", \"content\": \"the\"}], \"max_tokens\": 3, \"logprobs\": true, \"top_logprobs\": 1}"));
        final JsonNode content = chat.get("choices").get(0).get("logprobs").get("content");
        assertEquals(3, content.size());
        assertEquals(1, content.get(0).get("top_logprobs").size());
    }
}
