package dev.switchyard.node.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.DataPlaneSettings;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.testkit.Await;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.MessageHeaderDecoder;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire stays compatible: a client whose hello says schema version 0 gets the welcome that
 * version knows (its 28-byte block) and no heartbeats; a version-1 client gets the longer welcome
 * (the largest request, the heartbeat interval) and heartbeats. Raw frames over a real gateway.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientSchemaVersionsTest
{
    static final int D = 16;

    @TempDir
    Path dir;

    /** A frame the test client read: its bytes and header. */
    record Frame(int length, int templateId, int version, byte[] bytes)
    {
    }

    @Test
    void aVersionZeroClientGetsTheWelcomeItKnowsAndNoHeartbeats()
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(8, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        try (EmbeddedSystem system = EmbeddedSystem.start(modelDir, ConfigFactory.empty());
             DataPlane plane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
                 1 << 20, 1 << 20, 1408)))
        {
            final List<Frame> old = helloAndListen(plane, system.gatewayAddress(), 11, 0);
            final List<Frame> current = helloAndListen(plane, system.gatewayAddress(), 12, 1);
            final HelloFrame reader = new HelloFrame();
            final MessageHeaderDecoder header = new MessageHeaderDecoder();

            assertEquals(1, old.size(), "a version-0 client is sent its welcome only: " + old);
            assertEquals(MessageHeaderDecoder.ENCODED_LENGTH + 28, old.getFirst().length());
            assertEquals(0, old.getFirst().version());
            final HelloFrame.Welcome w0 = reader.readWelcome(header, new UnsafeBuffer(old.getFirst().bytes()), 0,
                old.getFirst().length());
            assertNotNull(w0, () -> "refused: " + reader.fault());
            assertEquals(new HelloFrame.Welcome(11, D, 4, 8, 1, w0.maxRequestRows()), w0);

            final Frame welcome = current.getFirst();
            final HelloFrame.Welcome w1 = reader.readWelcome(header, new UnsafeBuffer(welcome.bytes()), 0,
                welcome.length());
            assertNotNull(w1, () -> "refused: " + reader.fault());
            assertEquals(w0.maxRequestRows(), w1.maxRequestRows());
            assertEquals(WireLayout.requestFrameLength(w1.maxRequestRows(), D, true), w1.maxRequestLength());
            assertTrue(w1.heartbeatIntervalMs() > 0);
            assertTrue(current.size() >= 3, "a version-1 client hears heartbeats: " + current.size() + " frames");
            for (final Frame f : current.subList(1, current.size()))
            {
                assertTrue(reader.readHeartbeat(header, new UnsafeBuffer(f.bytes()), 0, f.length()));
                assertEquals(12, reader.heartbeatClientId());
            }

            // A welcome whose block is neither version's is refused, as is a heartbeat of the wrong length.
            final UnsafeBuffer odd = new UnsafeBuffer(new byte[64]);
            final int length = reader.writeWelcome(odd, 0, w1);
            odd.putShort(0, (short)32, java.nio.ByteOrder.LITTLE_ENDIAN);
            assertNull(reader.readWelcome(header, odd, 0, length - 4));
            assertEquals(FrameFault.BAD_BLOCK_LENGTH, reader.fault());
            final int beat = reader.writeHeartbeat(odd, 0, 12);
            assertTrue(!reader.readHeartbeat(header, odd, 0, beat + 8));
            assertEquals(FrameFault.BAD_LENGTH_FIELD, reader.fault());
        }
    }

    /** Says hello as a client of {@code version} and returns what the gateway sends it in the next 2 s. */
    static List<Frame> helloAndListen(final DataPlane plane, final String gateway, final long clientId,
        final int version)
    {
        final int stream = 5000 + (int)clientId;
        final List<Frame> frames = new ArrayList<>();
        try (Subscription answers = plane.subscribeUdp(0, stream);
             ExclusivePublication requests = plane.aeron().addExclusivePublication(
                 "aeron:udp?endpoint=" + gateway + "|term-length=64k", WireLayout.CLIENT_REQUEST_STREAM_ID))
        {
            final String channel = plane.resolvedChannel(answers);
            Await.until(requests::isConnected, Duration.ofSeconds(30), () -> "the gateway's request stream did not connect");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
            final int length = new HelloFrame().writeClientHello(buffer, 0, clientId, stream, channel);
            buffer.putShort(6, (short)version, java.nio.ByteOrder.LITTLE_ENDIAN);  // the header's version
            Await.until(() -> requests.offer(buffer, 0, length) >= 0, Duration.ofSeconds(30), () -> "the hello was not taken");
            final MessageHeaderDecoder header = new MessageHeaderDecoder();
            Await.until(() ->
            {
                poll(answers, header, frames);
                return !frames.isEmpty();
            }, Duration.ofSeconds(30), () -> "no welcome");
            // The listening window is the scenario: what the gateway sends unasked in 2 s (heartbeats, nothing else).
            final long listenUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < listenUntil)
            {
                poll(answers, header, frames);
                Thread.yield();
            }
        }
        return frames;
    }

    static void poll(final Subscription answers, final MessageHeaderDecoder header, final List<Frame> frames)
    {
        answers.poll((buffer, offset, length, h) ->
        {
            header.wrap(buffer, offset);
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            frames.add(new Frame(length, header.templateId(), header.version(), bytes));
        }, 10);
    }
}
