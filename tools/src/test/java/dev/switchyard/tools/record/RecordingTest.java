package dev.switchyard.tools.record;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.node.record.RecordedModel;
import dev.switchyard.node.record.RecordingSystems;
import dev.switchyard.node.system.EmbeddedSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RecordingTest
{
    private static final int D = RecordingSystems.D;
    private static final int G = RecordingSystems.G;

    private static ModelConfig config()
    {
        return RecordingSystems.config();
    }

    private static float[] tokens(final int rows, final long seed)
    {
        return RecordingSystems.tokens(rows, seed);
    }

    /** Streamed two requests at a time, a recording ten times longer gives the same requests as read whole. */
    private static void assertStreamsAsRead(final Path dir, final RecordingInfo info, final Recording whole)
    {
        try (RequestStream stream = RequestStream.open(dir, info, true, 2))
        {
            int i = 0;
            while (stream.hasNext())
            {
                final RecordedRequest r = stream.next();
                final RecordedRequest expected = whole.requests().get(i++);
                assertEquals(expected.arrivalNs(), r.arrivalNs());
                assertEquals(expected.status(), r.status());
                assertArrayEquals(expected.tokens(), r.tokens());
                assertArrayEquals(expected.output(), r.output());
            }
            assertEquals(whole.requests().size(), i);
            assertEquals(whole.damage(), stream.end().damage());
            assertTrue(stream.largestOpen() <= 3, "held open at once: " + stream.largestOpen());
        }
    }

    @Test
    void everyRequestAndAnswerIsRecordedAndReadBack(@TempDir final Path dir)
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, config(), 1, 42);
        final Path archive = dir.resolve("rec");
        final List<float[]> sent = new ArrayList<>();
        final List<InferAnswer> answers = new ArrayList<>();
        int maxRows;
        try (EmbeddedSystem system = RecordingSystems.start(modelDir, archive))
        {
            final SwitchyardClient client = system.client();
            maxRows = client.maxRequestRows();
            final List<CompletableFuture<InferAnswer>> futures = new ArrayList<>();
            final int[] sizes = {1, 5, 8, 13, maxRows + 9};
            for (int i = 0; i < sizes.length; i++)
            {
                final float[] x = tokens(sizes[i], i);
                sent.add(x);
                futures.add(client.infer(x, sizes[i], null, i >= 3,
                    i % 2 == 0 ? RequestOptions.exact() : RequestOptions.shared()));
            }
            futures.forEach(f -> answers.add(f.join()));
        }
        final List<RecordingInfo> list = RecordingCatalog.list(archive);
        assertEquals(1, list.size());
        assertTrue(list.getFirst().stoppedCleanly());
        final Recording recording = RecordingReader.read(archive, list.getFirst());
        assertNull(recording.damage());
        assertEquals(new RecordedModel(D, 4, G, 1, maxRows), recording.model());
        assertEquals(sent.size(), recording.requests().size());
        for (int i = 0; i < sent.size(); i++)
        {
            final RecordedRequest r = recording.requests().get(i);
            assertArrayEquals(sent.get(i), r.tokens());
            assertEquals(i % 2 == 0, r.keepApart());
            assertEquals("OK", r.status());
            assertArrayEquals(answers.get(i).output(), r.output());
            assertEquals(i >= 3, r.routing() != null);
            if (i >= 3)
            {
                assertArrayEquals(answers.get(i).routing().expert(), r.routing().expert());
                assertArrayEquals(answers.get(i).routing().position(), r.routing().position());
                assertArrayEquals(answers.get(i).routing().gate(), r.routing().gate());
            }
        }
        assertEquals(2, recording.requests().getLast().parts());
    }

    @Test
    void whatWasWrittenBeforeACrashStaysReadableAndARestartAddsARecording(@TempDir final Path dir) throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, config(), 1, 42);
        final Path archive = dir.resolve("rec");
        final Path crashed = dir.resolve("crashed");
        try (EmbeddedSystem system = RecordingSystems.start(modelDir, archive))
        {
            for (int i = 0; i < 20; i++)
            {
                system.client().infer(tokens(3, i), 3, null, false).join();
            }
            assertTrue(system.node().recorder().awaitArchived(TimeUnit.SECONDS.toNanos(30)));
            // The files as a crash would leave them: the recording still open in the catalog.
            Files.createDirectories(crashed);
            try (Stream<Path> files = Files.list(archive))
            {
                for (final Path f : files.toList())
                {
                    Files.copy(f, crashed.resolve(f.getFileName()));
                }
            }
        }
        // A restart on the same directory adds a recording beside the first.
        try (EmbeddedSystem restarted = RecordingSystems.start(modelDir, archive))
        {
            assertEquals(1, restarted.node().recorder().recordingId());
            restarted.client().infer(tokens(2, 99), 2, null, false).join();
        }
        final List<RecordingInfo> both = RecordingCatalog.list(archive);
        assertEquals(2, both.size());
        assertEquals(20, RecordingReader.read(archive, both.get(0)).requests().size());
        assertEquals(1, RecordingReader.read(archive, both.get(1)).requests().size());

        final RecordingInfo info = RecordingCatalog.list(crashed).getFirst();
        assertFalse(info.stoppedCleanly());
        final Recording recording = RecordingReader.read(crashed, info);
        assertNull(recording.damage());
        assertEquals(20, recording.requests().size());
        assertStreamsAsRead(crashed, info, recording);
        for (int i = 0; i < 20; i++)
        {
            assertArrayEquals(tokens(3, i), recording.requests().get(i).tokens());
            assertEquals("OK", recording.requests().get(i).status());
        }
    }
}
