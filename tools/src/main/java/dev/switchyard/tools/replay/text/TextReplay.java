package dev.switchyard.tools.replay.text;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.switchyard.tools.record.TextExchange;

/**
 * Sends a text recording's requests to an OpenAI-compatible server open loop: each at its recorded offset from
 * the first, divided by the speed, whether or not earlier ones were answered; each body exactly as recorded,
 * with {@code X-Switchyard-Token-Ids: true} so the answers list their ids. Answers are gathered (streams read
 * to their end) and, when asked, compared with the recorded ones.
 */
public final class TextReplay
{
    private static final String TOKEN_IDS = "X-Switchyard-Token-Ids";

    private final URI base;
    private final double speed;
    private final Duration answerTimeout;

    /**
     * @param base          the server, e.g. {@code http://127.0.0.1:8000} (a trailing {@code /v1} is allowed)
     * @param answerTimeout how long one answer may take
     */
    public TextReplay(final URI base, final double speed, final Duration answerTimeout)
    {
        final String s = base.toString().replaceAll("/+$", "");
        this.base = URI.create(s.endsWith("/v1") ? s.substring(0, s.length() - 3) : s);
        this.speed = speed;
        this.answerTimeout = answerTimeout;
    }

    /** What one run did: the answers in the recording's order, and how late the sends were at most. */
    public record Run(List<ReplayedAnswer> answers, long maxLatenessNs, long wallNs)
    {
    }

    public Run run(final List<TextExchange> exchanges) throws InterruptedException
    {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build())
        {
            final List<CompletableFuture<ReplayedAnswer>> pending = new ArrayList<>();
            final long first = exchanges.getFirst().arrivalNs();
            final long start = System.nanoTime();
            long lateness = 0;
            for (final TextExchange e : exchanges)
            {
                final long due = start + (long)((e.arrivalNs() - first) / speed);
                // The schedule: park until each request is due (open loop, not a wait on the server).
                for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime())
                {
                    LockSupport.parkNanos(left);
                    if (Thread.interrupted())
                    {
                        throw new InterruptedException();
                    }
                }
                lateness = Math.max(lateness, System.nanoTime() - due);
                pending.add(send(client, e));
            }
            final List<ReplayedAnswer> answers = new ArrayList<>();
            for (final CompletableFuture<ReplayedAnswer> p : pending)
            {
                try
                {
                    answers.add(p.get(answerTimeout.toMillis(), TimeUnit.MILLISECONDS));
                }
                catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
                {
                    answers.add(ReplayedAnswer.failed("no answer within " + answerTimeout.toSeconds() + " s"));
                }
            }
            return new Run(answers, lateness, System.nanoTime() - start);
        }
    }

    private CompletableFuture<ReplayedAnswer> send(final HttpClient client, final TextExchange e)
    {
        final boolean stream = e.answer().path("stream").asBoolean(false);
        final HttpRequest request = HttpRequest.newBuilder(base.resolve(e.path()))
            .timeout(answerTimeout)
            .header("Content-Type", "application/json")
            .header(TOKEN_IDS, "true")
            .POST(HttpRequest.BodyPublishers.ofString(e.body(), StandardCharsets.UTF_8))
            .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
            .thenApply(r -> ReplayedAnswer.read(r.statusCode(), r.body(), stream))
            .exceptionally(t -> ReplayedAnswer.failed(String.valueOf(
                t.getCause() != null ? t.getCause() : t)));
    }
}
