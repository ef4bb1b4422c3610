package dev.switchyard.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.switchyard.tools.record.RecordingCatalog;
import dev.switchyard.tools.record.RecordingInfo;
import dev.switchyard.tools.record.TextExchange;
import dev.switchyard.tools.record.TextRecording;
import dev.switchyard.tools.record.TextRecordingReader;
import dev.switchyard.tools.replay.text.TextReplay;
import dev.switchyard.tools.replay.text.TextVerdict;
import dev.switchyard.wire.BadInputException;

/**
 * {@code replay DIR --openai URL}: a text recording's requests sent to an OpenAI-compatible server on their
 * recorded schedule, and with {@code --verify} every deterministic answer compared with the recorded one.
 */
final class TextReplayRun
{
    private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(5);

    private TextReplayRun()
    {
    }

    /** @return 0, or 1 when a verified replay found a mismatch or a request got no answer */
    static int run(final Path dir, final Long recording, final String url, final double speed, final boolean verify,
        final boolean allowTruncated) throws InterruptedException
    {
        final TextRecording text = pick(dir, recording);
        if (text.damage() != null && !allowTruncated)
        {
            throw new BadInputException(text.damage().message() + " (in " + dir + "); --allow-truncated replays " +
                "the readable part");
        }
        final List<TextExchange> exchanges = text.exchanges();
        if (exchanges.isEmpty())
        {
            throw new BadInputException("recording " + text.info().id() + " in " + dir + " holds no requests");
        }
        final URI base;
        try
        {
            base = URI.create(url.contains("://") ? url : "http://" + url);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadInputException("--openai " + url + " is not a URL: " + ex.getMessage());
        }
        final TextReplay.Run run = new TextReplay(base, speed, ANSWER_TIMEOUT).run(exchanges);
        System.out.printf(Locale.ROOT, "replay of text recording %d (%d requests over %.1f s, model %s) at %sx " +
            "against %s: %.1f s, sent at most %.1f ms late%n", text.info().id(), exchanges.size(),
            text.spanNs() / 1e9, text.model(), speed, base, run.wallNs() / 1e9, run.maxLatenessNs() / 1e6);
        final TextVerdict verdict = new TextVerdict();
        final long first = exchanges.getFirst().arrivalNs();
        for (int i = 0; i < exchanges.size(); i++)
        {
            verdict.compare(i, exchanges.get(i), run.answers().get(i), exchanges.get(i).arrivalNs() - first);
        }
        if (!verify)
        {
            final long failed = run.answers().stream().filter(a -> a.status() != 200).count();
            System.out.println("answers: " + (exchanges.size() - failed) + " ok, " + failed + " not (errors " +
                verdict.errors() + ")");
            return 0;
        }
        System.out.println("verify: " + verdict.summary());
        if (!verdict.mismatches().isEmpty())
        {
            System.out.println("first mismatch: " + verdict.mismatches().getFirst());
        }
        if (verdict.firstError() != null)
        {
            System.out.println("first error: " + verdict.firstError());
        }
        if (text.lostRecords() > 0)
        {
            System.out.println("note: " + text.lostRecords() + " exchanges were lost while recording");
        }
        return verdict.mismatched() > 0 || verdict.errors() > 0 ? 1 : 0;
    }

    /** The recording asked for, or the latest text recording. */
    private static TextRecording pick(final Path dir, final Long id)
    {
        if (id != null)
        {
            final RecordingInfo info = RecordingCatalog.find(dir, id);
            final TextRecording text = TextRecordingReader.read(dir, info);
            if (text == null)
            {
                throw new BadInputException("recording " + id + " in " + dir + " holds MoE-layer traffic, not text: " +
                    "replay it with --connect HOST:PORT");
            }
            return text;
        }
        final List<RecordingInfo> all = RecordingCatalog.list(dir);
        for (int i = all.size() - 1; i >= 0; i--)
        {
            final TextRecording text = TextRecordingReader.read(dir, all.get(i));
            if (text != null)
            {
                return text;
            }
        }
        throw new BadInputException(dir + " holds no text recordings (record with 'switchyard serve --openai " +
            "--record " + dir + "')");
    }

    /** The line {@code recordings} prints for a text recording. */
    static String line(final TextRecording text, final long bytes)
    {
        final java.util.Map<Integer, Long> statuses = new java.util.TreeMap<>();
        long tokens = 0;
        for (final TextExchange e : text.exchanges())
        {
            statuses.merge(e.status(), 1L, Long::sum);
            tokens += e.answer().path("usage").path("completion_tokens").asLong();
        }
        final StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
            "recording %d  started %s  %.1f s  %d text requests  %d completion tokens  answered",
            text.info().id(), java.time.Instant.ofEpochMilli(text.info().startMs()).truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS), text.spanNs() / 1e9, text.exchanges().size(), tokens));
        statuses.forEach((status, n) -> out.append(' ').append(status).append(' ').append(n));
        out.append(String.format(Locale.ROOT, "  %.1f MiB  language model %s", bytes / 1048576.0, text.model()));
        if (text.damage() != null)
        {
            out.append("  (").append(text.damage().message()).append(")");
        }
        if (text.lostRecords() > 0)
        {
            out.append("  (").append(text.lostRecords()).append(" exchanges lost while recording)");
        }
        return out.toString();
    }
}
