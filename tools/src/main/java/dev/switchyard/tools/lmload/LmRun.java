package dev.switchyard.tools.lmload;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.switchyard.wire.BadInputException;

/**
 * Runs a {@link Workload} open loop against an OpenAI-compatible server: each request leaves at its scheduled time
 * on a virtual thread of its own, whatever the answers before it do, and its TTFT and E2E count from that intended
 * time (so queueing shows, with no coordinated omission). After the last send the run waits up to {@code drain} for
 * the answers; a request still running then is counted as never answered, and its connection is closed.
 */
public final class LmRun
{
    private final URI completions;
    private final CompletionCall.Options options;
    private final Duration drain;
    private final PrintStream progress;
    private final int progressSeconds;

    /**
     * @param completions     the server's /v1/completions
     * @param progress        where a progress line goes every {@code progressSeconds} (0: none)
     */
    public LmRun(final URI completions, final int vocab, final double temperature, final long seed,
        final String model, final boolean ignoreEos, final Duration drain, final PrintStream progress,
        final int progressSeconds)
    {
        this.completions = completions;
        this.options = new CompletionCall.Options(vocab, temperature, seed, model, ignoreEos);
        this.drain = drain;
        this.progress = progress;
        this.progressSeconds = progressSeconds;
    }

    /** The URL of the completions route under a server's base URL (with or without /v1). */
    public static URI completionsOf(final String base)
    {
        if (!base.matches("https?://[^/\\s]+(/\\S*)?"))
        {
            throw new BadInputException("--url must be http://HOST:PORT[/v1] (got '" + base + "')");
        }
        final String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        if (trimmed.endsWith("/v1/completions"))
        {
            return URI.create(trimmed);
        }
        return URI.create(trimmed.endsWith("/v1") ? trimmed + "/completions" : trimmed + "/v1/completions");
    }

    /**
     * Whether an HTTP server answers at {@code completions}' /v1/models (any status): checked before a run, so that
     * a wrong URL is one error rather than every request failing; it also loads the HTTP client before the clock
     * starts.
     */
    public static boolean reachable(final URI completions)
    {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build())
        {
            client.send(HttpRequest.newBuilder(completions.resolve("models")).timeout(Duration.ofSeconds(10)).GET()
                .build(), HttpResponse.BodyHandlers.discarding());
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public LmResult run(final Workload workload, final String title, final Slo slo) throws InterruptedException
    {
        final LmStats stats = new LmStats(slo);
        final List<CallState> calls = new ArrayList<>(workload.requests().size());
        final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "lmload-progress");
            t.setDaemon(true);
            return t;
        });
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
        final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        String drainNote = null;
        if (!workload.requests().isEmpty())
        {
            // Loads what building a body needs before the clock starts, so that the first sends are not late.
            CompletionCall.body(workload.requests().get(0), options);
        }
        try
        {
            final long start = System.nanoTime();
            stats.start(start);
            final long[] tick = {0};
            ticker.scheduleAtFixedRate(() ->
            {
                stats.closeSeconds(System.nanoTime());
                if (progressSeconds > 0 && ++tick[0] % progressSeconds == 0)
                {
                    progress.println(stats.progress(System.nanoTime()));
                }
            }, 1, 1, TimeUnit.SECONDS);
            sendAll(workload, start, stats, client, threads, calls);
            final long lastSend = System.nanoTime();
            if (!stats.awaitAllEnded(lastSend + drain.toNanos()))
            {
                drainNote = neverAnswered(calls, stats, lastSend);
            }
        }
        finally
        {
            ticker.shutdownNow();
            client.shutdownNow();
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
            client.awaitTermination(Duration.ofSeconds(10));
        }
        return stats.result(title, notes(workload, stats, drainNote));
    }

    /** Sends each request at its time on a virtual thread of its own; {@code calls} gets each one sent. */
    private void sendAll(final Workload workload, final long start, final LmStats stats, final HttpClient client,
        final ExecutorService threads, final List<CallState> calls) throws InterruptedException
    {
        for (final LmRequest r : workload.requests())
        {
            final long intended = start + r.offsetNs();
            for (long left = intended - System.nanoTime(); left > 0; left = intended - System.nanoTime())
            {
                LockSupport.parkNanos(left);
                if (Thread.interrupted())
                {
                    throw new InterruptedException("the run was interrupted");
                }
            }
            final CallState call = new CallState(intended);
            calls.add(call);
            final long now = System.nanoTime();
            stats.sent(now - intended, now);
            // The body is built on the request's thread: a long prompt does not hold up the next send.
            threads.execute(() -> CompletionCall.run(client, completions, CompletionCall.body(r, options), call,
                stats));
        }
    }

    /** Counts every request still running as never answered (their own ending then counts for nothing). */
    private String neverAnswered(final List<CallState> calls, final LmStats stats, final long lastSend)
    {
        final long now = System.nanoTime();
        final String message = String.format(Locale.ROOT, "still running %.1f s after the last send (--drain)",
            (now - lastSend) / 1e9);
        long n = 0;
        for (final CallState call : calls)
        {
            if (call.end())
            {
                stats.ended(Outcomes.NEVER_ANSWERED, message, call, now);
                n++;
            }
        }
        return n + " requests " + message + " were counted as never answered";
    }

    private static List<String> notes(final Workload workload, final LmStats stats, final String drainNote)
    {
        final List<String> notes = new ArrayList<>();
        if (workload.clippedPrompts() > 0)
        {
            notes.add(workload.clippedPrompts() + " prompts were clipped to --max-prompt or the context");
        }
        if (workload.clippedOutputs() > 0)
        {
            notes.add(workload.clippedOutputs() + " outputs were clipped so that prompt + output fit the context");
        }
        if (workload.zeroOutput() > 0)
        {
            notes.add(workload.zeroOutput() + " trace rows without output tokens (failed in the trace) were skipped");
        }
        if (drainNote != null)
        {
            notes.add(drainNote);
        }
        for (final Map.Entry<String, String> e : stats.firstMessages().entrySet())
        {
            notes.add("first " + e.getKey() + ": " + e.getValue());
        }
        return notes;
    }
}
