package dev.switchyard.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.node.record.RecordedModel;
import dev.switchyard.tools.record.RecordedRequest;
import dev.switchyard.tools.record.RecordingCatalog;
import dev.switchyard.tools.record.RecordingInfo;
import dev.switchyard.tools.record.RecordingReader;
import dev.switchyard.tools.record.RequestStream;
import dev.switchyard.tools.record.TextRecordingReader;
import dev.switchyard.tools.replay.AnswerCheck;
import dev.switchyard.tools.replay.Schedule;
import dev.switchyard.tools.replay.SendObserver;
import dev.switchyard.wire.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code switchyard replay DIR}: sends a recording's requests to a gateway on their recorded
 * schedule, scaled, open loop; optionally compares every answer with the recorded one.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = "Replay recorded traffic against a gateway, open loop, on its recorded schedule.")
public final class ReplayCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "The recording directory (serve --record DIR).")
    private Path dir;

    @Option(names = "--recording", paramLabel = "ID", description = "Which recording (default: the latest).")
    private Long recording;

    @Option(names = "--connect", paramLabel = "HOST:PORT", description = "The gateway (MoE-layer recordings).")
    private String connect;

    @Option(names = "--openai", paramLabel = "URL",
        description = "An OpenAI-compatible server (serve --openai) for a text recording (serve --openai --record).")
    private String openai;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1",
        description = "Schedule speed: 2 sends twice as fast as recorded (default 1).")
    private double speed;

    @Option(names = "--loop", paramLabel = "N", defaultValue = "1", description = "Play the recording N times.")
    private int loop;

    @Option(names = "--duration", paramLabel = "S", description = "Stop sending after S seconds.")
    private Double duration;

    @Option(names = "--verify", description = "Compare every answer with the recorded one.")
    private boolean verify;

    @Option(names = "--report", paramLabel = "OUT", description = "Write OUT.hgrm, OUT.json and OUT.html.")
    private Path report;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
        description = "The gateway's metrics HTTP address, for per-expert load in the report.")
    private String metrics;

    @Option(names = "--allow-truncated", description = "Replay the readable part of a damaged recording.")
    private boolean allowTruncated;

    @Option(names = "--read-ahead", paramLabel = "N", defaultValue = "1024",
        description = "Requests read ahead of the schedule " +
            "(the recording is streamed, never held whole; default 1024).")
    private int readAhead;

    @Override
    public Integer call() throws InterruptedException
    {
        CliArgs.existingDirectory("DIR", dir);
        if (!(speed > 0) || Double.isInfinite(speed))
        {
            throw new BadInputException("--speed must be a positive number (got " + speed + ")");
        }
        CliArgs.positive("--loop", loop);
        if (duration != null && !(duration > 0))
        {
            throw new BadInputException("--duration must be a positive number of seconds (got " + duration + ")");
        }
        CliArgs.positive("--read-ahead", readAhead);
        if ((connect == null) == (openai == null))
        {
            throw new BadInputException("give --connect HOST:PORT (a gateway, for MoE-layer traffic) or --openai URL " +
                "(a serve --openai server, for text traffic)");
        }
        if (openai != null)
        {
            if (loop != 1 || duration != null || report != null || metrics != null)
            {
                throw new BadInputException("--openai replays take --speed, --verify, --recording and " +
                    "--allow-truncated only");
            }
            return TextReplayRun.run(dir, recording, openai, speed, verify, allowTruncated);
        }
        final RecordingInfo info = pick();
        final Totals recorded = count(info);
        final List<String> notes = new ArrayList<>();
        final RecordingReader.End end = recorded.end();
        if (end.damage() != null)
        {
            if (!allowTruncated || end.model() == null)
            {
                throw new BadInputException(end.damage().message() + " (in " + dir + ")" +
                    (end.model() == null ? "" : "; --allow-truncated replays the readable part"));
            }
            notes.add("replayed the readable part only: " + end.damage().message());
        }
        if (recorded.requests() == 0)
        {
            throw new BadInputException("recording " + info.id() + " in " + dir + " holds no requests");
        }
        if (end.unreadable() > 0)
        {
            notes.add(end.unreadable() + " recorded requests were malformed when they arrived and are not sent");
        }
        try (SwitchyardClient client = SwitchyardClient.connect(connect))
        {
            final RecordedModel model = end.model();
            final String mismatch = model.mismatch(client.dModel(), client.numExperts(), client.groupSize(),
                client.layers());
            if (mismatch != null)
            {
                throw new BadInputException("refusing to replay recording " + info.id() + " against " + connect + ": " +
                    mismatch);
            }
            final Schedule schedule = new Schedule(() -> RequestStream.open(dir, info, true, readAhead),
                recorded.requests(), recorded.lastArrivalNs(), speed, loop,
                duration == null ? 0 : (long)(duration * 1e9));
            final AnswerCheck check = verify ? new AnswerCheck() : null;
            if (verify)
            {
                notes.add("exact-mode answers are compared bit for bit; shared-mode answers for status and shape " +
                    "only (their groups held other traffic)");
            }
            final String title = String.format(Locale.ROOT,
                "replay of recording %d (%d requests, %d tokens) at %sx, %d loop(s), against %s",
                info.id(), recorded.requests(), recorded.tokens(), trim(speed), loop, connect);
            return OpenLoopRun.run(client, schedule, title, metrics, check, notes, report, SendObserver.NONE,
                duration == null ? Long.MAX_VALUE : (long)(duration * 1e9));
        }
    }

    /** What the schedule needs to know before it starts: counted in a pass that keeps no tensors. */
    private record Totals(long requests, long tokens, long lastArrivalNs, RecordingReader.End end)
    {
    }

    private Totals count(final RecordingInfo info)
    {
        long requests = 0;
        long tokens = 0;
        long last = 0;
        try (RequestStream stream = RequestStream.open(dir, info, false, readAhead))
        {
            while (stream.hasNext())
            {
                final RecordedRequest r = stream.next();
                requests++;
                tokens += r.rows();
                last = r.arrivalNs();
            }
            return new Totals(requests, tokens, last, stream.end());
        }
    }

    private RecordingInfo pick()
    {
        if (recording != null)
        {
            return RecordingCatalog.find(dir, recording);
        }
        final List<RecordingInfo> all = RecordingCatalog.list(dir);
        if (all.isEmpty())
        {
            throw new BadInputException(dir + " holds no recordings");
        }
        if (TextRecordingReader.isText(dir, all.getLast()))
        {
            throw new BadInputException("recording " + all.getLast().id() + " in " + dir + " is text traffic: replay " +
                "it with --openai URL, or give --recording ID");
        }
        return all.getLast();
    }

    private static String trim(final double v)
    {
        return v == Math.rint(v) ? Long.toString((long)v) : Double.toString(v);
    }
}
