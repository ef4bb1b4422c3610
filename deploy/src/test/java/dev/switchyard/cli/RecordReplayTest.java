package dev.switchyard.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.node.record.RecordedModel;
import dev.switchyard.node.record.RecordingSystems;
import dev.switchyard.node.record.TrafficRecorder;
import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.node.system.SwitchyardNode;
import dev.switchyard.testkit.Await;
import dev.switchyard.wire.frame.RequestFrame;
import io.aeron.ExclusivePublication;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.status.RecordingPos;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static dev.switchyard.cli.CliTest.assertUserError;
import static dev.switchyard.cli.CliTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traffic recorded by one embedded system (the real Aeron Archive) is replayed through the CLI
 * against another placement: a gateway node whose experts all live on two expert nodes (three
 * actor systems on loopback, each with its own media driver, UDP between them). Exact answers and
 * their routing must match bit for bit.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RecordReplayTest
{
    /**
     * A replay sends every recorded client's requests over its one connection: a target for it takes
     * the recording's bursts from one client (the per-client share as large as the queue).
     */
    private static final com.typesafe.config.Config ONE_CONNECTION_FOR_ALL = ConfigFactory.parseString(
        "switchyard.gateway.max-requests-per-client = 1024\n" +
        "switchyard.gateway.max-tokens-per-client = 1048576");

    static final int REQUESTS = 300;
    /** Where an Aeron archive's mark file holds its activity stamp (after the 8-byte message header, version). */
    private static final int ACTIVITY_STAMP_OFFSET = 16;

    @TempDir
    static Path dir;
    static Path modelDir;
    static Path archive;
    static int exactRequests;
    static int routedExactRequests;
    static long recordedTokens;
    static EmbeddedSystem target;
    static SwitchyardNode expertsA;
    static SwitchyardNode expertsB;

    @BeforeAll
    static void recordTraffic() throws InterruptedException
    {
        modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, RecordingSystems.config(), 1, 42);
        archive = dir.resolve("recorded");
        try (EmbeddedSystem recorder = RecordingSystems.start(modelDir, archive))
        {
            final SwitchyardClient client = recorder.client();
            final int[] sizes = {1, 3, 8, 13, 40, client.maxRequestRows() + 21};
            final List<CompletableFuture<InferAnswer>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++)
            {
                final int rows = i == REQUESTS / 2 + 1 ? sizes[5] : sizes[i % 5];
                final boolean exact = i % 3 != 0;
                exactRequests += exact ? 1 : 0;
                routedExactRequests += exact && i % 7 == 0 ? 1 : 0;
                recordedTokens += rows;
                answers.add(client.infer(RecordingSystems.tokens(rows, i), rows, null, i % 7 == 0,
                    exact ? RequestOptions.exact() : RequestOptions.shared()));
                if (answers.size() >= 16)
                {
                    answers.removeFirst().join();
                }
            }
            answers.forEach(CompletableFuture::join);
        }
        // Another placement: two expert nodes, and a gateway node that hosts no expert.
        expertsA = SwitchyardNode.start(clusterNode("experts", null));
        expertsB = SwitchyardNode.start(clusterNode("experts", expertsA.clusterAddress()));
        target = EmbeddedSystem.start(modelDir, ONE_CONNECTION_FOR_ALL.withFallback(
            clusterNode("gateway", expertsA.clusterAddress())).withFallback(ConfigFactory.parseString(
            "switchyard.gateway.max-wait-us = 300")));
        spreadOverBothExpertNodes();
    }

    private static Config clusterNode(final String role, final String seed)
    {
        return ConfigFactory.parseString(
            "switchyard.model = \"" + modelDir.toString().replace("\\", "/") + "\"\n" +
            "switchyard.role = " + role + "\n" +
            "switchyard.cluster.port = 0\n" +
            "switchyard.cluster.seed-nodes = [" + (seed == null ? "" : "\"" + seed + "\"") + "]\n" +
            "switchyard.gateway.bind = \"127.0.0.1:0\"\n" +
            "switchyard.gateway.relocate-interval = 1s\n" +
            "switchyard.experts.keep-alive-interval = 1s\n" +
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n" +
            "pekko.cluster.sharding.rebalance-interval = 1s\n");
    }

    /** Traffic (not recorded) until sharding has placed experts on both expert nodes, bounded. */
    private static void spreadOverBothExpertNodes()
    {
        final float[] x = RecordingSystems.tokens(64, 1);
        // A request every 20 ms at most: traffic for sharding to place by, not a load.
        Await.until(() ->
        {
            if (expertsA.endpoint().rowsServed() != 0 && expertsB.endpoint().rowsServed() != 0)
            {
                return true;
            }
            target.client().infer(x, 64, null, false).join();
            return false;
        }, Duration.ofSeconds(90), Duration.ofMillis(20), () -> "experts never reached both expert nodes");
    }

    @AfterAll
    static void stop()
    {
        CloseHelper.quietCloseAll(target, expertsB, expertsA);
    }

    @Test
    void theRecordingIsListed()
    {
        final CliTest.Run run = cli("recordings", archive.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("recording 0 "), run.out());
        assertTrue(run.out().contains(REQUESTS + " requests  " + recordedTokens + " tokens  answered ok " + REQUESTS),
            run.out());
    }

    @Test
    void aReplayAtFourTimesTheSpeedOnAnotherLayoutGivesBitIdenticalExactAnswers() throws IOException
    {
        final Path out = dir.resolve("report").resolve("replay");
        final CliTest.Run run = cli("replay", archive.toString(), "--connect", target.gatewayAddress(), "--speed", "4",
            "--verify", "--report", out.toString());
        assertEquals(0, run.status(), run.out() + run.err());
        assertTrue(run.out().contains("verified: " + exactRequests + " exact answers bit-identical, 0 differing; " +
            (REQUESTS - exactRequests) + " shared-mode answers matching in status and shape only, 0 differing; " +
            "0 with another status than recorded"), run.out());
        assertTrue(run.out().contains("; routing of " + routedExactRequests + " exact answers compared: " +
            routedExactRequests + " identical, 0 differing"), run.out());
        assertTrue(run.out().contains("schedule lateness (ms): p50 "), run.out());
        final String json = Files.readString(dir.resolve("report").resolve("replay.json"));
        assertEquals(REQUESTS, number(json, "sent"));
        assertEquals(REQUESTS, number(json, "answered"));
        assertEquals(exactRequests, number(json, "exact_identical"));
        assertEquals(routedExactRequests, number(json, "routing_identical"));
        assertEquals(0, number(json, "routing_differing"));
        assertTrue(json.contains("\"statuses\": {\"OK\": " + REQUESTS + "}"), json);
        final String hgrm = Files.readString(dir.resolve("report").resolve("replay.hgrm"));
        assertTrue(hgrm.contains("Total count    = " + String.format("%12d", REQUESTS) + "]"), hgrm);
        final String html = Files.readString(dir.resolve("report").resolve("replay.html"));
        assertTrue(html.contains("<svg") && html.contains("Latency distribution") && !html.contains("<script"), html);
    }

    @Test
    void aReplayStreamsTheRecordingAWindowAtATimeLoopAfterLoop()
    {
        final CliTest.Run run = cli("replay", archive.toString(), "--connect", target.gatewayAddress(), "--speed", "8",
            "--loop", "2", "--read-ahead", "32", "--verify");
        assertEquals(0, run.status(), run.out() + run.err());
        assertTrue(run.out().contains("sent " + 2 * REQUESTS + ", answered " + 2 * REQUESTS), run.out());
        assertTrue(run.out().contains("verified: " + 2 * exactRequests + " exact answers bit-identical, 0 differing; " +
            2 * (REQUESTS - exactRequests) + " shared-mode answers matching in status and shape only, 0 differing; " +
            "0 with another status than recorded; routing of " + 2 * routedExactRequests), run.out());
    }

    @Test
    void answersOfOtherWeightsAreNamedAsDifferences()
    {
        final Path otherWeights = dir.resolve("other-weights");
        ModelGenerator.generate(otherWeights, RecordingSystems.config(), 1, 43);
        try (EmbeddedSystem other = EmbeddedSystem.start(otherWeights, ONE_CONNECTION_FOR_ALL))
        {
            final CliTest.Run run = cli("replay", archive.toString(), "--connect", other.gatewayAddress(), "--speed",
                "8", "--verify");
            assertEquals(Main.EXIT_FAILURE, run.status(), run.out() + run.err());
            assertTrue(run.out().contains("verified: 0 exact answers bit-identical, " + exactRequests + " differing"),
                run.out());
            assertTrue(Pattern.compile("request \\d+ \\(recorded as client -?\\d+ request \\d+, \\d+ tokens\\): " +
                "token 0 differs first \\(column \\d+: .* instead of .*\\), largest difference ").matcher(run.out()).find(),
                run.out());
            assertTrue(Pattern.compile("request \\d+ \\(recorded as client -?\\d+ request \\d+, \\d+ tokens\\): " +
                "routing: token \\d+ differs first \\((first|second) choice expert -?\\d+ position -?\\d+ gate .* " +
                "instead of (first|second) choice expert ").matcher(run.out()).find(), run.out());
        }
    }

    @Test
    void aCorruptedRecordingIsRefusedNamingThePosition() throws IOException
    {
        final Path copy = copyArchive("corrupted");
        final Path segment = segment(copy);
        final long at = middleOfFrame(segment, 5);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw"))
        {
            file.seek(at);
            final int b = file.read();
            file.seek(at);
            file.write(b ^ 0x5A);
        }
        assertUserError(cli("replay", copy.toString(), "--connect", target.gatewayAddress()),
            "recording 0 is corrupted: it fails its checksum, at byte position ");
    }

    @Test
    void aTruncatedRecordingIsRefusedAndItsReadablePartReplaysWhenAllowed() throws IOException
    {
        final Path copy = copyArchive("truncated");
        final Path segment = segment(copy);
        final long end = recordedEnd(segment);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw"))
        {
            file.setLength(end / 2);
        }
        assertUserError(cli("replay", copy.toString(), "--connect", target.gatewayAddress()),
            "recording 0 is truncated");
        final CliTest.Run run = cli("replay", copy.toString(), "--connect", target.gatewayAddress(), "--speed", "8",
            "--verify", "--allow-truncated");
        assertEquals(0, run.status(), run.out() + run.err());
        final Matcher sent = Pattern.compile("sent (\\d+), answered (\\d+)").matcher(run.out());
        assertTrue(sent.find(), run.out());
        final int n = Integer.parseInt(sent.group(1));
        assertTrue(n > 10 && n < REQUESTS, run.out());
        assertEquals(n, Integer.parseInt(sent.group(2)));
        assertTrue(run.out().contains("replayed the readable part only: recording 0 is truncated"), run.out());
        assertTrue(run.out().contains(" differing; "), run.out());
        assertTrue(run.out().contains("exact answers bit-identical, 0 differing"), run.out());
    }

    @Test
    void aForeignRecordingAndOneOfAnotherModelAreRefusedBeforeAnythingIsSent()
    {
        final Path other = dir.resolve("other-model");
        try (DataPlane plane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
            1 << 20, 1 << 20, 1408));
            TrafficRecorder recorder = TrafficRecorder.start(plane.aeron().context().aeronDirectoryName(), other,
                new RecordedModel(32, 4, 8, 1, 100), 1 << 20))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[4096]);
            final int length = new RequestFrame().write(frame, 0, 1, 1, 0, 0, 0, false, true, 2, 32, new float[64], 0,
                null, 0);
            recorder.request(System.nanoTime(), frame, 0, length);
            // A foreign recording beside it, in the same archive: recording 1.
            try (AeronArchive archiveClient = AeronArchive.connect(new AeronArchive.Context()
                .aeronDirectoryName(plane.aeron().context().aeronDirectoryName())
                .controlRequestChannel("aeron:ipc").controlRequestStreamId(4110)
                .controlResponseChannel("aeron:ipc"));
                ExclusivePublication foreign = archiveClient.addRecordedExclusivePublication("aeron:ipc", 77))
            {
                final UnsafeBuffer text = new UnsafeBuffer("not a switchyard record, just bytes".getBytes());
                while (foreign.offer(text) < 0)
                {
                    Thread.onSpinWait();
                }
                final CountersReader counters = archiveClient.context().aeron().countersReader();
                int counter;
                while ((counter = RecordingPos.findCounterIdBySession(counters, foreign.sessionId(),
                    archiveClient.archiveId())) == CountersReader.NULL_COUNTER_ID ||
                    counters.getCounterValue(counter) < foreign.position())
                {
                    Thread.onSpinWait();
                }
                archiveClient.stopRecording(foreign);
            }
        }
        assertUserError(cli("replay", other.toString(), "--recording", "1", "--connect", target.gatewayAddress()),
            "recording 1 is not a Switchyard recording");
        final long before = target.metrics().tokensIn.get();
        assertUserError(cli("replay", other.toString(), "--recording", "0", "--connect", target.gatewayAddress()),
            "refusing to replay recording 0 against " + target.gatewayAddress() + ": the recording's model has " +
            "d_model 32");
        assertEquals(before, target.metrics().tokensIn.get());
    }

    @Test
    void loadgenRunsAtItsRateAndReports() throws IOException
    {
        final Path out = dir.resolve("report").resolve("loadgen");
        final CliTest.Run run = cli("loadgen", "--connect", target.gatewayAddress(), "--rate", "100", "--duration",
            "2", "--arrivals", "constant", "--tokens-per-request", "1:20", "--skew", "1.2", "--model",
            modelDir.toString(), "--mode", "exact", "--seed", "5", "--report", out.toString(), "--record",
            dir.resolve("generated").toString());
        assertEquals(0, run.status(), run.out() + run.err());
        final String json = Files.readString(dir.resolve("report").resolve("loadgen.json"));
        assertEquals(200, number(json, "sent"));
        assertEquals(200, number(json, "answered"));
        assertTrue(Files.readString(dir.resolve("report").resolve("loadgen.html")).contains("Throughput over time"));
        // Generated traffic recorded by the load generator replays like recorded traffic.
        final CliTest.Run listed = cli("recordings", dir.resolve("generated").toString());
        assertTrue(listed.out().contains("200 requests"), listed.out() + listed.err());
        final CliTest.Run replayed = cli("replay", dir.resolve("generated").toString(), "--connect",
            target.gatewayAddress(), "--speed", "4", "--verify");
        assertEquals(0, replayed.status(), replayed.out() + replayed.err());
        assertTrue(replayed.out().contains("verified: 200 exact answers bit-identical, 0 differing"), replayed.out());
    }

    @Test
    void aReplayWhoseGatewayIsClosedStopsWithinSecondsAndFails() throws Exception
    {
        final EmbeddedSystem doomed = EmbeddedSystem.start(modelDir, ONE_CONNECTION_FOR_ALL);
        final java.util.concurrent.atomic.AtomicLong ended = new java.util.concurrent.atomic.AtomicLong();
        final CompletableFuture<CliTest.Run> replay;
        final long closing;
        try
        {
            // A thousand loops: without noticing the gateway's end, the replay would run for many minutes.
            replay = CompletableFuture.supplyAsync(() ->
            {
                final CliTest.Run r = cli("replay", archive.toString(), "--connect", doomed.gatewayAddress(), "--loop",
                    "1000");
                ended.set(System.nanoTime());
                return r;
            });
            Await.until(() ->
            {
                if (doomed.metrics().tokensIn.get() >= 500)
                {
                    return true;
                }
                assertTrue(!replay.isDone(), "the replay never reached the gateway");
                return false;
            }, Duration.ofSeconds(60), () -> "the replay never reached the gateway");
            closing = System.nanoTime();
        }
        finally
        {
            doomed.close();
        }
        final long closed = System.nanoTime();
        final CliTest.Run run = replay.get(60, TimeUnit.SECONDS);
        final double seconds = (ended.get() - closed) / 1e9;
        System.out.printf("closing the gateway took %.2f s; the replay ended %.2f s after it had closed%n",
            (closed - closing) / 1e9, seconds);
        assertEquals(Main.EXIT_FAILURE, run.status(), run.out() + run.err());
        // Negative when the replay saw the gateway going before it had closed.
        assertTrue(seconds < 5, "replay ended " + seconds + " s after its gateway closed");
        assertEquals(1, run.out().lines().filter(l -> l.contains("the gateway is gone")).count(), run.out());
        assertTrue(run.out().contains("FAILED: the gateway is gone; stopped "), run.out());
    }

    @Test
    void loadgenFailsNamingWhyWhenMostAnswersAreErrors()
    {
        try (EmbeddedSystem small = EmbeddedSystem.start(modelDir, ConfigFactory.parseString(
            "switchyard.gateway.max-tokens-per-client = 64")))
        {
            final CliTest.Run refused = cli("loadgen", "--connect", small.gatewayAddress(), "--rate", "50",
                "--duration", "1", "--arrivals", "constant", "--tokens-per-request", "100");
            assertEquals(Main.EXIT_FAILURE, refused.status(), refused.out() + refused.err());
            // A request larger than a client's whole share can never be admitted: each is refused as bad input.
            assertTrue(refused.out().contains("FAILED: most answers were errors: 50 of 50 (bad_input 50)"),
                refused.out());
            final CliTest.Run served = cli("loadgen", "--connect", small.gatewayAddress(), "--rate", "50",
                "--duration", "1", "--arrivals", "constant", "--tokens-per-request", "8");
            assertEquals(0, served.status(), served.out() + served.err());
            assertTrue(!served.out().contains("FAILED"), served.out());
        }
    }

    @Test
    void loadgenRecordsTheLargestRequestTheGatewayAccepts()
    {
        // The largest request a gateway admits is its per-client share of tokens (the default here):
        // 16 MiB of tokens and as much of answer, more than the recording stream holds at once.
        final int largest = ConfigFactory.load().getInt("switchyard.gateway.max-tokens-per-client");
        final Path generated = dir.resolve("generated-largest");
        try (EmbeddedSystem gateway = EmbeddedSystem.start(modelDir))
        {
            final CliTest.Run run = cli("loadgen", "--connect", gateway.gatewayAddress(), "--rate", "1",
                "--duration", "1", "--arrivals", "constant", "--tokens-per-request", Integer.toString(largest),
                "--mode", "exact", "--record", generated.toString());
            assertEquals(0, run.status(), run.out() + run.err());
            assertTrue(run.out().contains("answers by status: ok 1\n"), run.out());
            final CliTest.Run listed = cli("recordings", generated.toString());
            assertTrue(listed.out().contains("1 requests  " + largest + " tokens  answered ok 1  "), listed.out());
            assertTrue(!listed.out().contains("lost"), listed.out());
            final CliTest.Run replayed = cli("replay", generated.toString(), "--connect", gateway.gatewayAddress(),
                "--verify");
            assertEquals(0, replayed.status(), replayed.out() + replayed.err());
            assertTrue(replayed.out().contains("verified: 1 exact answers bit-identical, 0 differing"),
                replayed.out());
        }
    }

    @Test
    void loadgenRefusesARateItCannotScheduleAndEndsOnTime()
    {
        assertUserError(cli("loadgen", "--connect", target.gatewayAddress(), "--rate", "1e9", "--duration", "1"),
            "--rate 1.0E9 is refused: one load generator schedules at most 100000 requests/s");
        final long start = System.nanoTime();
        final CliTest.Run run = cli("loadgen", "--connect", target.gatewayAddress(), "--rate", "100000",
            "--duration", "1", "--tokens-per-request", "1");
        final double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(run.status() == 0 || run.out().contains("FAILED: most answers were errors"), run.out() + run.err());
        // The run's second, the client's connection, and the answers still in flight: never the whole schedule.
        assertTrue(seconds < 15, "loadgen of 1 s took " + seconds + " s: " + run.out());
    }

    @Test
    void aRecordingBeingWrittenIsToldFromOneBrokenOff() throws IOException
    {
        final Path live = dir.resolve("live");
        final Path broken = dir.resolve("broken");
        try (EmbeddedSystem recording = RecordingSystems.start(modelDir, live))
        {
            recording.client().infer(RecordingSystems.tokens(4, 1), 4, null, false).join();
            final CliTest.Run now = cli("recordings", live.toString());
            assertTrue(now.out().contains("(being recorded now"), now.out());
            assertTrue(!now.out().contains("not stopped cleanly"), now.out());
            // Its files as a killed node leaves them: open in the catalog, the archive's last stamp old.
            Files.createDirectories(broken);
            try (Stream<Path> files = Files.list(live))
            {
                for (final Path f : files.toList())
                {
                    Files.copy(f, broken.resolve(f.getFileName()));
                }
            }
        }
        try (RandomAccessFile mark = new RandomAccessFile(broken.resolve("archive-mark.dat").toFile(), "rw"))
        {
            mark.seek(ACTIVITY_STAMP_OFFSET);
            mark.writeLong(Long.reverseBytes(System.currentTimeMillis() - 60_000));
        }
        final CliTest.Run after = cli("recordings", broken.toString());
        assertTrue(after.out().contains("(not stopped cleanly"), after.out());
        assertTrue(!after.out().contains("being recorded now"), after.out());
        final CliTest.Run stopped = cli("recordings", live.toString());
        assertTrue(!stopped.out().contains("being recorded now") && !stopped.out().contains("not stopped cleanly"),
            stopped.out());
    }

    @Test
    void badFlagsAreOneClearLine()
    {
        assertUserError(cli("recordings", dir.resolve("nowhere").toString()), "no such directory");
        assertUserError(cli("recordings", modelDir.toString()), "holds no recordings");
        assertUserError(cli("replay", archive.toString(), "--connect", target.gatewayAddress(), "--speed", "0"),
            "--speed must be a positive number");
        assertUserError(cli("replay", archive.toString(), "--recording", "9", "--connect", target.gatewayAddress()),
            "has no recording 9");
        assertUserError(cli("replay", archive.toString(), "--connect", target.gatewayAddress(), "--read-ahead", "0"),
            "--read-ahead");
        assertUserError(cli("loadgen", "--connect", target.gatewayAddress(), "--rate", "10", "--duration", "1",
            "--skew", "1"), "--skew needs --model DIR");
        assertUserError(cli("loadgen", "--connect", target.gatewayAddress(), "--rate", "10", "--duration", "1",
            "--arrivals", "weibull"), "--arrivals must be constant, poisson or gamma");
    }

    private static long number(final String json, final String key)
    {
        final Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Long.parseLong(m.group(1));
    }

    private static Path copyArchive(final String name) throws IOException
    {
        final Path copy = dir.resolve(name);
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(archive))
        {
            for (final Path f : files.toList())
            {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        return copy;
    }

    private static Path segment(final Path archiveDir) throws IOException
    {
        try (Stream<Path> files = Files.list(archiveDir))
        {
            return files.filter(f -> f.getFileName().toString().startsWith("0-") &&
                f.getFileName().toString().endsWith(".rec")).min(Comparator.naturalOrder()).orElseThrow();
        }
    }

    /** A byte in the middle of the payload of frame {@code k} of a segment file. */
    private static long middleOfFrame(final Path segment, final int k) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "r"))
        {
            long at = 0;
            for (int i = 0; i < k; i++)
            {
                file.seek(at);
                at += (Integer.reverseBytes(file.readInt()) + 31) & ~31;
            }
            file.seek(at);
            return at + 32 + (Integer.reverseBytes(file.readInt()) - 32) / 2;
        }
    }

    /** Where the frames end in a segment file the archive pre-sized. */
    private static long recordedEnd(final Path segment) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "r"))
        {
            long at = 0;
            while (at + 4 <= file.length())
            {
                file.seek(at);
                final int length = Integer.reverseBytes(file.readInt());
                if (length <= 0)
                {
                    return at;
                }
                at += (length + 31) & ~31;
            }
            return at;
        }
    }
}
