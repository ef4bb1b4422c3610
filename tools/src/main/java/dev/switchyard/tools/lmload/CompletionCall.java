package dev.switchyard.tools.lmload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One streamed {@code POST /v1/completions}: the prompt as token ids (so its length is exact), {@code max_tokens}
 * the drawn output length, {@code logprobs: 0} so that every token comes in an event of its own even when it adds no
 * text (an incomplete character, an EOS), and the usage chunk. Token events are timed as their lines arrive; the
 * request ends in one {@link Outcomes} bucket.
 */
final class CompletionCall
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ERROR_BYTES = 4096;

    /**
     * What every request's body shares.
     *
     * @param vocab       prompt ids are drawn from 0..vocab-1
     * @param temperature 0 greedy, else sampled with seed + the request's index
     * @param seed        the run's seed (prompt ids and sampling)
     * @param model       the "model" field, or null to leave it out
     * @param ignoreEos   send {@code ignore_eos: true}, so that outputs have the drawn length
     */
    record Options(int vocab, double temperature, long seed, String model, boolean ignoreEos)
    {
    }

    private CompletionCall()
    {
    }

    /** The JSON body of request {@code r}; its prompt ids depend on the seed and the index alone. */
    static String body(final LmRequest r, final Options o)
    {
        final SplittableRandom ids = new SplittableRandom(o.seed() * 0x9E3779B97F4A7C15L + r.index());
        final StringBuilder out = new StringBuilder(32 + r.prompt() * 6);
        if (o.model() != null)
        {
            out.append("{\"model\": ").append(JSON.valueToTree(o.model()).toString()).append(", \"prompt\": [");
        }
        else
        {
            out.append("{\"prompt\": [");
        }
        for (int i = 0; i < r.prompt(); i++)
        {
            out.append(i == 0 ? "" : ",").append(ids.nextInt(o.vocab()));
        }
        out.append(String.format(Locale.ROOT, "], \"max_tokens\": %d, \"temperature\": %s, \"seed\": %d, " +
            "\"stream\": true, \"stream_options\": {\"include_usage\": true}, \"logprobs\": 0", r.output(),
            o.temperature(), o.seed() + r.index()));
        if (o.ignoreEos())
        {
            out.append(", \"ignore_eos\": true");
        }
        return out.append('}').toString();
    }

    /** Sends the request and reads its answer to the end, on the calling (virtual) thread. */
    static void run(final HttpClient client, final URI uri, final String body, final CallState call,
        final LmStats stats)
    {
        final HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofHours(1))
            .header("Content-Type", "application/json").header("Accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        final HttpResponse<InputStream> response;
        try
        {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        }
        catch (final IOException ex)
        {
            end(call, stats, Outcomes.CONNECTION_FAILED, String.valueOf(ex));
            return;
        }
        catch (final InterruptedException ex)
        {
            // The run stopped waiting: it has counted this request as never answered.
            Thread.currentThread().interrupt();
            return;
        }
        try (InputStream in = response.body())
        {
            if (response.statusCode() != 200)
            {
                end(call, stats, Outcomes.http(response.statusCode()), "HTTP " + response.statusCode() + ": " +
                    message(new String(in.readNBytes(ERROR_BYTES), StandardCharsets.UTF_8)));
                return;
            }
            read(in, call, stats);
        }
        catch (final IOException ex)
        {
            end(call, stats, Outcomes.CUT_OFF, String.valueOf(ex));
        }
    }

    private static void read(final InputStream in, final CallState call, final LmStats stats) throws IOException
    {
        final BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        String error = null;
        while ((line = lines.readLine()) != null)
        {
            final long now = System.nanoTime();
            if (!line.startsWith("data:"))
            {
                continue;
            }
            final String data = line.substring(5).trim();
            if (data.equals("[DONE]"))
            {
                end(call, stats, error == null ? Outcomes.OK : Outcomes.STREAM_ERROR, error);
                return;
            }
            final JsonNode event = parse(data);
            if (event.has("error"))
            {
                error = message(data);
                continue;
            }
            final JsonNode choice = event.path("choices").path(0);
            final JsonNode logprobTokens = choice.path("logprobs").path("tokens");
            final int n = logprobTokens.isArray() ? logprobTokens.size() : choice.path("text").asText("").isEmpty()
                ? 0 : 1;
            if (n > 0)
            {
                stats.tokens(n, now - call.intendedNs(), call.tokens(n, now), now);
            }
            if (choice.path("finish_reason").isTextual())
            {
                call.finishReason(choice.path("finish_reason").asText());
            }
            if (event.path("usage").path("completion_tokens").canConvertToInt())
            {
                call.reportedTokens(event.path("usage").path("completion_tokens").asInt());
            }
        }
        end(call, stats, error == null ? Outcomes.CUT_OFF : Outcomes.STREAM_ERROR,
            error == null ? "the stream ended without [DONE]" : error);
    }

    private static JsonNode parse(final String data) throws IOException
    {
        try
        {
            return JSON.readTree(data);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IOException("an event is not JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    /** An OpenAI error body's message, or the text itself. */
    private static String message(final String text)
    {
        try
        {
            final JsonNode m = JSON.readTree(text).path("error").path("message");
            return m.isTextual() ? m.asText() : text.strip();
        }
        catch (final JsonProcessingException ex)
        {
            return text.strip();
        }
    }

    private static void end(final CallState call, final LmStats stats, final String outcome, final String message)
    {
        final long now = System.nanoTime();
        if (call.end())
        {
            stats.ended(outcome, message, call, now);
        }
    }
}
