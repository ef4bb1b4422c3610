package dev.switchyard.node.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
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
import dev.switchyard.testkit.Tokens;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.frame.WireLayout;
import io.aeron.ExclusivePublication;
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
 * A client that is welcomed, sends many large requests and then never reads its answers: the
 * gateway holds a few of its answers, drops it once it takes none, and a good client beside it is
 * answered promptly the whole time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StuckClientTest
{
    static final int D = 16;
    static final int G = 8;
    static final int BAD_ROWS = 64;
    static final int BAD_PER_ROUND = 16;
    static final int BAD_REQUESTS = 160;
    static final long BAD_CLIENT_ID = 77_000_001L;

    @TempDir
    Path dir;

    @Test
    void aClientThatStopsReadingDoesNotDelayAGoodOne() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        try (ModelDirectory model = ModelDirectory.open(modelDir);
             // Short terms: the stuck client's answers fill its window after about 256 KiB, and the
             // rest of its answers (fewer than the 128 held per client) wait until it is dropped.
             EmbeddedSystem system = EmbeddedSystem.start(modelDir, ConfigFactory.parseString(
                 "switchyard.gateway.max-wait-us = 100\n" +
                 "switchyard.data-plane.ipc-term-length = 1m\nswitchyard.data-plane.udp-term-length = 256k\n" +
                 "switchyard.gateway.client-answer-stall-timeout = 3s\nswitchyard.gateway.client-answer-queue = 128"));
             DataPlane clientPlane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
                 1 << 20, 1 << 20, 1408));
             SwitchyardClient good = SwitchyardClient.connect(clientPlane, system.gatewayAddress());
             Subscription badAnswers = clientPlane.subscribeUdp(0, 4343);
             ExclusivePublication toGateway = clientPlane.publish(
                 system.node().gateway().clientChannel(), WireLayout.CLIENT_REQUEST_STREAM_ID))
        {
            final float[] small = tokens(3, 5);
            final float[] expected = LocalReference.run(model, 0, small, 3, null).y();
            assertArrayEquals(expected, good.infer(small, 3, null, false, RequestOptions.exact()).join().output());

            final long givenUpBefore = system.metrics().clientsGivenUp.get();
            final long undeliveredBefore = system.metrics().answersUndelivered.get();
            welcome(badAnswers, toGateway, clientPlane.resolvedChannel(badAnswers));
            // The bad client sends its requests and reads nothing more.
            final UnsafeBuffer frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(128 << 10, 64));
            final RequestFrame requests = new RequestFrame();
            final float[] big = tokens(BAD_ROWS, 9);
            // Rounds: the bad client sends a few requests and never reads their answers, the good one
            // sends one and is timed; once the bad client's window is full, its answers are held.
            long worstNs = 0;
            int served = 0;
            int badSent = 0;
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (system.metrics().clientsGivenUp.get() == givenUpBefore || served < 20)
            {
                assertTrue(System.nanoTime() < until, "the stuck client was not dropped");
                for (int r = 0; r < BAD_PER_ROUND && badSent < BAD_REQUESTS; r++, badSent++)
                {
                    final int length = requests.write(frame, 0, BAD_CLIENT_ID, badSent, 0, 0, 0, false, false,
                        BAD_ROWS, D, big, 0, null, 0);
                    offer(toGateway, frame, length);
                }
                final long start = System.nanoTime();
                final InferAnswer answer = good.infer(small, 3, null, false, RequestOptions.exact()).join();
                worstNs = Math.max(worstNs, System.nanoTime() - start);
                assertEquals(AnswerStatus.OK, answer.status(), answer.detail());
                assertArrayEquals(expected, answer.output());
                served++;
            }
            final long worstMs = TimeUnit.NANOSECONDS.toMillis(worstNs);
            final long undelivered = system.metrics().answersUndelivered.get() - undeliveredBefore;
            System.out.println("stuck client: good client served " + served + " requests, worst " + worstMs +
                " ms; stuck client dropped, " + undelivered + " of its " + BAD_REQUESTS + " answers undelivered");
            // Each round queues 1,024 of the bad client's tokens before the good request; the bound is
            // far above their compute on a loaded machine and far below the 16 x 200 ms that waiting
            // on each of a round's held answers would cost.
            assertTrue(worstMs < 2000, "a stuck client delayed a good one by " + worstMs + " ms");
            assertTrue(undelivered > 0, "the stuck client's answers cannot all have been delivered");
            assertEquals(1, system.metrics().clientsGivenUp.get() - givenUpBefore);
        }
    }

    /** Says hello for the bad client until its welcome arrives; the last read of its answer stream. */
    private static void welcome(final Subscription answers, final ExclusivePublication toGateway, final String channel)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final HelloFrame hello = new HelloFrame();
        final int length = hello.writeClientHello(buffer, 0, BAD_CLIENT_ID, 4343, channel);
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
        }, Duration.ofSeconds(20), () -> "the bad client was not welcomed");
    }

    private static void offer(final ExclusivePublication publication, final UnsafeBuffer frame, final int length)
    {
        Await.until(() -> publication.offer(frame, 0, length) >= 0, Duration.ofSeconds(20),
            () -> "the gateway took no request");
    }

    static float[] tokens(final int rows, final long seed)
    {
        return Tokens.gaussian(rows, D, seed);
    }
}
