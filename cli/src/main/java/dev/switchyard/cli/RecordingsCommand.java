package dev.switchyard.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import dev.switchyard.tools.record.RecordedRequest;
import dev.switchyard.tools.record.Recording;
import dev.switchyard.tools.record.RecordingCatalog;
import dev.switchyard.tools.record.RecordingInfo;
import dev.switchyard.tools.record.RecordingReader;
import dev.switchyard.tools.record.TextRecording;
import dev.switchyard.tools.record.TextRecordingReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code switchyard recordings DIR}: one line per recording of a {@code serve --record} directory. */
@Command(
    name = "recordings",
    mixinStandardHelpOptions = true,
    description = "List the recordings made by 'serve --record DIR' (MoE-layer and text traffic).")
public final class RecordingsCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "The recording directory.")
    private Path dir;

    @Override
    public Integer call()
    {
        CliArgs.existingDirectory("DIR", dir);
        final List<RecordingInfo> all = RecordingCatalog.list(dir);
        if (all.isEmpty())
        {
            System.out.println(dir + ": no recordings");
            return 0;
        }
        for (final RecordingInfo info : all)
        {
            final TextRecording text = TextRecordingReader.read(dir, info);
            if (text != null)
            {
                System.out.println(TextReplayRun.line(text, RecordingCatalog.sizeOnDisk(dir, info.id())));
                continue;
            }
            final Recording recording = RecordingReader.summarize(dir, info);
            System.out.println(line(info, recording, RecordingCatalog.sizeOnDisk(dir, info.id())));
        }
        return 0;
    }

    static String line(final RecordingInfo info, final Recording recording, final long bytes)
    {
        final Map<String, Long> statuses = new TreeMap<>();
        long unanswered = 0;
        for (final RecordedRequest r : recording.requests())
        {
            if (r.answered())
            {
                statuses.merge(r.status().toLowerCase(Locale.ROOT), 1L, Long::sum);
            }
            else
            {
                unanswered++;
            }
        }
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "recording %d  started %s  %.1f s  %d requests  %d tokens  answered",
            info.id(), DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(info.startMs()).truncatedTo(
                ChronoUnit.SECONDS)), recording.durationNs() / 1e9, recording.requests().size(), recording.tokens()));
        if (statuses.isEmpty())
        {
            out.append(" none");
        }
        statuses.forEach((status, n) -> out.append(' ').append(status).append(' ').append(n));
        if (unanswered > 0)
        {
            out.append(", ").append(unanswered).append(" without answer");
        }
        out.append(String.format(Locale.ROOT, "  %.1f MiB", bytes / 1048576.0));
        if (recording.damage() != null)
        {
            out.append("  (").append(recording.damage().message()).append(")");
        }
        else if (info.recordingNow())
        {
            out.append("  (being recorded now: read up to its last whole frame)");
        }
        else if (info.brokenOff())
        {
            out.append("  (not stopped cleanly: read up to its last whole frame)");
        }
        if (recording.lostRecords() > 0)
        {
            out.append("  (").append(recording.lostRecords()).append(" records lost while recording)");
        }
        if (recording.model() != null)
        {
            out.append(String.format(Locale.ROOT, "  model d_model %d, %d experts, group size %d",
                recording.model().dModel(), recording.model().experts(), recording.model().groupSize()));
        }
        return out.toString();
    }
}
