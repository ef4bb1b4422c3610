package dev.switchyard.node.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.testkit.Await;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A live client that sends faster than it reads (it takes no answer for a while, then reads them
 * all, as a load generator on a busy machine does): every request still gets exactly one answer,
 * bit-exact or overloaded. The gateway stops reading the client's stream while the answers it owes
 * it reach the client's answer queue, rather than overflowing that queue and dropping the client
 * with requests unanswered.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BurstyReaderTest
{
    static final int D = 16;
    static final int ROWS = 64;
    static final int REQUESTS = 150;
    static final long CLIENT_ID = 78_000_001L;
    static final int ANSWER_STREAM = 4344;

    @TempDir
    Path dir;

    @Test
    void aClientThatReadsInBurstsGetsEveryAnswerExactlyOnce() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(8, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        try (ModelDirectory model = ModelDirectory.open(modelDir);
             // A short answer term: the client's window holds a few answers, the rest are held.
             EmbeddedSystem system = EmbeddedSystem.start(modelDir, ConfigFactory.parseString(
                 "switchyard.gateway.max-wait-us = 100\n" +
                 "switchyard.data-plane.udp-term-length = 64k\n" +
                 "switchyard.gateway.max-requests-per-client = 16\n" +
                 "switchyard.gateway.client-answer-queue = 32\n" +
                 "switchyard.gateway.client-answer-stall-timeout = 20s"));
             DataPlane clientPlane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
                 1 << 20, 64 << 10, 1408));
             Subscription answers = clientPlane.subscribeUdp(0, ANSWER_STREAM);
             ExclusivePublication toGateway = clientPlane.publish(
                 system.node().gateway().clientChannel(), WireLayout.CLIENT_REQUEST_STREAM_ID))
        {
            final long givenUpBefore = system.metrics().clientsGivenUp.get();
            final long undeliveredBefore = system.metrics().answersUndelivered.get();
            final long answersBefore = ConcurrentClientsTest.gatewayAnswers(system);
            final Map<Long, Integer> answerCount = new HashMap<>();
            final Map<Long, BlockStatus> statusOf = new HashMap<>();
            final float[] x = StuckClientTest.tokens(ROWS, 11);
            final float[] expected = LocalReference.run(model, 0, x, ROWS, null).y();
            final AnswerFrame frame = new AnswerFrame();
            final MessageHeaderDecoder header = new MessageHeaderDecoder();
            final float[] output = new float[ROWS * D];
            final int[] mismatches = new int[1];
            final FragmentAssembler reader = new FragmentAssembler((buffer, offset, length, h) ->
            {
                header.wrap(buffer, offset);
                if (!AnswerFrame.isAnswer(header) || !frame.wrap(header, buffer, offset, length))
                {
                    return;  // the welcome
                }
                answerCount.merge(frame.requestId(), 1, Integer::sum);
                statusOf.put(frame.requestId(), frame.status());
                if (frame.status() == BlockStatus.OK)
                {
                    frame.readOutputs(output);
                    if (!java.util.Arrays.equals(expected, output))
                    {
                        mismatches[0]++;
                    }
                }
            });
            welcome(answers, toGateway, clientPlane.resolvedChannel(answers));

            final UnsafeBuffer request = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64 << 10, 64));
            final RequestFrame requests = new RequestFrame();
            int sent = 0;
            // First it sends for a while and reads nothing, then it reads everything owed while it
            // sends the rest: its stream back-pressures it rather than the gateway dropping it.
            final long silentUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answerCount.size() < REQUESTS)
            {
                assertTrue(System.nanoTime() < until, (REQUESTS - answerCount.size()) + " of " + REQUESTS +
                    " requests never answered (" + sent + " sent; client given up " +
                    (system.metrics().clientsGivenUp.get() - givenUpBefore) + " times)");
                if (sent < REQUESTS)
                {
                    final int length = requests.write(request, 0, CLIENT_ID, sent, 0, 0, 0, false, true,
                        ROWS, D, x, 0, null, 0);
                    if (toGateway.offer(request, 0, length) > 0)
                    {
                        sent++;
                    }
                }
                if (System.nanoTime() - silentUntil > 0)
                {
                    answers.poll(reader, 16);
                }
                Thread.onSpinWait();
            }
            // Anything sent twice would show now: the gateway has answered every request, holds none, and
            // what it sent has been read.
            Await.until(() -> answers.poll(reader, 16) == 0 &&
                ConcurrentClientsTest.gatewayAnswers(system) - answersBefore >= REQUESTS &&
                system.metrics().queuedRequests.get() == 0, Duration.ofSeconds(30),
                () -> (ConcurrentClientsTest.gatewayAnswers(system) - answersBefore) + " answers for " + REQUESTS +
                    " requests, " + system.metrics().queuedRequests.get() + " still queued");
            int ok = 0;
            int overloaded = 0;
            for (long id = 0; id < REQUESTS; id++)
            {
                assertEquals(1, answerCount.getOrDefault(id, 0), "answers to request " + id);
                final BlockStatus status = statusOf.get(id);
                assertTrue(status == BlockStatus.OK || status == BlockStatus.OVERLOADED, "request " + id + ": " + status);
                ok += status == BlockStatus.OK ? 1 : 0;
                overloaded += status == BlockStatus.OVERLOADED ? 1 : 0;
            }
            System.out.println("bursty reader: " + REQUESTS + " requests, " + ok + " ok, " + overloaded + " overloaded");
            assertEquals(0, mismatches[0], "answers not bit-exact");
            assertTrue(ok > 0, "nothing was computed");
            assertEquals(0, system.metrics().clientsGivenUp.get() - givenUpBefore, "the client was dropped");
            assertEquals(0, system.metrics().answersUndelivered.get() - undeliveredBefore, "answers undelivered");
        }
    }

    private static void welcome(final Subscription answers, final ExclusivePublication toGateway, final String channel)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final int length = new HelloFrame().writeClientHello(buffer, 0, CLIENT_ID, ANSWER_STREAM, channel);
        final int[] frames = new int[1];
        final long[] nextHello = new long[1];
        Await.until(() ->
        {
            if (System.nanoTime() - nextHello[0] > 0)
            {
                toGateway.offer(buffer, 0, length);
                nextHello[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            }
            answers.poll((b, o, l, h) -> frames[0]++, 1);
            return frames[0] != 0;
        }, Duration.ofSeconds(20), () -> "the client was not welcomed");
    }
}
