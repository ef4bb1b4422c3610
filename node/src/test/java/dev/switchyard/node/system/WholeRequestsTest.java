package dev.switchyard.node.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests of several messages through a real gateway: the callers of one client each have a
 * share of their own, and a timeout counts the whole request's tokens.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WholeRequestsTest
{
    static final int D = 16;
    static final int ROWS = 20_000;

    @TempDir
    Path dir;

    private Path model()
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(64, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        return modelDir;
    }

    @Test
    void twoCallersOfOneClientHaveSeparateShares() throws Exception
    {
        final Path modelDir = model();
        try (ModelDirectory model = ModelDirectory.open(modelDir);
             EmbeddedSystem system = EmbeddedSystem.start(modelDir, ConfigFactory.parseString(
                 "switchyard.gateway.max-requests-per-client = 1\n" +
                 "switchyard.gateway.deadline-ms = 60000")))
        {
            final SwitchyardClient client = system.client();
            final float[] large = ConcurrentClientsTest.tokens(ROWS, 1);
            final float[] small = ConcurrentClientsTest.tokens(100, 2);
            assertTrue(client.maxRequestRows() < ROWS, "the large request is sent as several messages");
            // One stream, read in order: both small requests are read while the large one (caller 1's
            // one request) is still being computed; the gateway has not finished reading it before.
            final CompletableFuture<InferAnswer> first = client.infer(large, ROWS, null, false,
                RequestOptions.exact().withCaller(1));
            final CompletableFuture<InferAnswer> other = client.infer(small, 100, null, false,
                RequestOptions.exact().withCaller(2));
            final CompletableFuture<InferAnswer> again = client.infer(small, 100, null, false,
                RequestOptions.exact().withCaller(1));

            final InferAnswer a = first.get(60, TimeUnit.SECONDS);
            assertEquals(AnswerStatus.OK, a.status(), a.detail());
            assertArrayEquals(LocalReference.run(model, 0, large, ROWS, null).y(), a.output());
            final InferAnswer b = other.get(60, TimeUnit.SECONDS);
            assertEquals(AnswerStatus.OK, b.status(), "caller 2 has a share of its own: " + b.detail());
            assertArrayEquals(LocalReference.run(model, 0, small, 100, null).y(), b.output());
            final InferAnswer c = again.get(60, TimeUnit.SECONDS);
            assertEquals(AnswerStatus.OVERLOADED, c.status(), "caller 1's share holds its one request: " + c.detail());
            assertTrue(c.detail().startsWith("this client's share of the gateway is full (caller 1: 1 requests"),
                c.detail());
        }
    }

    /**
     * A request of 20,000 tokens whose first message (64 tokens) is answered and whose second comes
     * after its deadline: that message is answered {@code timeout}, counting the request's tokens.
     * Raw frames, so that the second message is late for certain.
     */
    @Test
    void aTimeoutCountsTheWholeRequestsTokens() throws Exception
    {
        final Path modelDir = model();
        try (ModelDirectory model = ModelDirectory.open(modelDir);
             EmbeddedSystem system = EmbeddedSystem.start(modelDir, ConfigFactory.empty());
             DataPlane plane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
                 1 << 20, 1 << 20, 1408));
             RawClient client = new RawClient(plane, system.gatewayAddress(), 77))
        {
            final int rows = 64;
            final float[] x = ConcurrentClientsTest.tokens(2 * rows, 5);
            final long deadlineMicros = 2_000_000;
            final long sentNs = System.nanoTime();
            client.send(1, 0, ROWS, rows, x, 0, deadlineMicros);
            final AnswerFrame first = client.answer();
            assertEquals(BlockStatus.OK, first.status(), first.detail());
            assertEquals(rows, first.rows());
            final float[] y = new float[rows * D];
            first.readOutputs(y);
            assertArrayEquals(LocalReference.run(model, 0, x, rows, null).y(), y,
                "the first message of a request is computed as it would be alone");
            while (System.nanoTime() - sentNs < TimeUnit.MICROSECONDS.toNanos(deadlineMicros) +
                TimeUnit.MILLISECONDS.toNanos(500))
            {
                Thread.sleep(10);  // the request's deadline passes with 19,936 of its tokens not sent
            }
            client.send(2, 1, 0, rows, x, rows, deadlineMicros);
            final AnswerFrame late = client.answer();
            assertEquals(2, late.requestId());
            assertEquals(BlockStatus.TIMEOUT, late.status(), late.detail());
            assertEquals("no answer within 2000 ms (64 of 20000 tokens done)", late.detail());
        }
    }

    /** A client of raw frames over UDP: hello, then request messages, each answer read in turn. */
    static final class RawClient implements AutoCloseable
    {
        private final long clientId;
        private final Subscription answers;
        private final ExclusivePublication requests;
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 << 10]);
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final AnswerFrame answer = new AnswerFrame();
        private final RequestFrame request = new RequestFrame();
        private final List<byte[]> received = new ArrayList<>();

        RawClient(final DataPlane plane, final String gateway, final long clientId)
        {
            this.clientId = clientId;
            final int stream = 6000 + (int)clientId;
            this.answers = plane.subscribeUdp(0, stream);
            this.requests = plane.aeron().addExclusivePublication(
                "aeron:udp?endpoint=" + gateway + "|term-length=1m", WireLayout.CLIENT_REQUEST_STREAM_ID);
            Await.until(requests::isConnected, Duration.ofSeconds(30), () -> "the gateway's request stream did not connect");
            offer(new HelloFrame().writeClientHello(buffer, 0, clientId, stream, plane.resolvedChannel(answers)));
            next();  // the welcome
        }

        void send(final long requestId, final int part, final int requestTokens, final int rows, final float[] x,
            final int firstRow, final long deadlineMicros)
        {
            final int length = request.write(buffer, 0, clientId, requestId, 0, firstRow / 64, deadlineMicros, false,
                true, rows, D, x, firstRow * D, null, 0);
            request.markPart(part, requestTokens, 0);
            offer(length);
        }

        /** The next answer, wrapped for reading (heartbeats skipped). */
        AnswerFrame answer()
        {
            while (true)
            {
                final byte[] frame = next();
                final UnsafeBuffer b = new UnsafeBuffer(frame);
                header.wrap(b, 0);
                if (AnswerFrame.isAnswer(header))
                {
                    assertTrue(answer.wrap(header, b, 0, frame.length), () -> "answer refused: " + answer.fault());
                    return answer;
                }
            }
        }

        private byte[] next()
        {
            Await.until(() ->
            {
                answers.poll(new FragmentAssembler((b, offset, length, h) ->
                {
                    final byte[] bytes = new byte[length];
                    b.getBytes(offset, bytes);
                    received.add(bytes);
                }), 10);
                return !received.isEmpty();
            }, Duration.ofSeconds(30), () -> "nothing from the gateway");
            return received.removeFirst();
        }

        private void offer(final int length)
        {
            Await.until(() -> requests.offer(buffer, 0, length) >= 0, Duration.ofSeconds(30),
                () -> "the gateway did not take a frame");
        }

        @Override
        public void close()
        {
            CloseHelper.quietCloseAll(requests, answers);
        }
    }
}
