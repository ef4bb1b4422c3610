package dev.switchyard.node.system;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.dataplane.FrameFaults;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.testkit.Await;
import dev.switchyard.testkit.Tokens;
import dev.switchyard.wire.frame.AnswerFrame;
import dev.switchyard.wire.frame.ExpertBlockFrame;
import dev.switchyard.wire.frame.FrameFault;
import dev.switchyard.wire.frame.HelloFrame;
import dev.switchyard.wire.frame.RequestFrame;
import dev.switchyard.wire.frame.WireLayout;
import dev.switchyard.wire.sbe.BlockStatus;
import io.aeron.ExclusivePublication;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every receiver of the data plane attacked with generated frames (random bytes, every field of a
 * real frame at its boundary values, truncated and oversized frames) sent through a real Aeron
 * publication to a running embedded system. Each frame must be counted as refused, and after each
 * receiver's run the system still answers bit for bit as the in-process layer does.
 */
class WireFuzzTest
{
    static final int D = 16;
    static final int G = 8;
    static final int TRIES = 1500;
    static final long COUNT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** Values every mutated field takes: zero, -1, the extremes of each width, lengths past the end. */
    static final long[] BOUNDARIES = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE,
        0xFFFF, 0x7FFF, 0x8000, 0xFF, 0x7F, 0x80, 0xFFFF_FFFFL, 0x7FFF_FFFF, 65_536, 1 << 20};
    /** A reply channel no peer may ask for: udp without an endpoint. */
    static final String BAD_CHANNEL = "aeron:udp?interface=127.0.0.1";

    static Path dir;
    static ModelDirectory model;
    static EmbeddedSystem system;
    static SwitchyardClient client;
    static ExclusivePublication toIntake;
    static ExclusivePublication toReplies;
    static ExclusivePublication toEndpoint;
    static ExclusivePublication toClient;
    static final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 20]);

    /** A template frame and how it is broken. */
    record Attack(int template, List<Mutation> mutations, int cut, int extra, long seed)
    {
    }

    /** One field of the frame set to a boundary value. */
    record Mutation(int field, long value, int width)
    {
    }

    @BeforeContainer
    static void start() throws IOException
    {
        dir = Files.createTempDirectory("switchyard-fuzz");
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        model = ModelDirectory.open(modelDir);
        system = EmbeddedSystem.start(modelDir, ConfigFactory.parseString("switchyard.gateway.max-wait-us = 100"));
        client = system.client();
        final DataPlane plane = system.node().dataPlane();
        toIntake = plane.publish(DataPlane.IPC_CHANNEL, WireLayout.CLIENT_REQUEST_STREAM_ID);
        toReplies = plane.publish(DataPlane.IPC_CHANNEL, WireLayout.GATEWAY_REPLY_STREAM_ID);
        toEndpoint = plane.publish(DataPlane.IPC_CHANNEL, WireLayout.EXPERT_STREAM_ID);
        toClient = plane.publish(client.answerChannel(), client.answerStreamId());
    }

    @AfterContainer
    static void stop() throws IOException
    {
        if (system != null)
        {
            system.close();
        }
        if (model != null)
        {
            model.close();
        }
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @AfterProperty
    void stillServesBitExact()
    {
        System.out.println("refused frames by cause: client intake " + byCause(system.metrics().clientFrames) +
            ", expert replies " + byCause(system.metrics().replyFrames) + " (stale " +
            system.metrics().staleReplies.get() + "), expert endpoint " + byCause(system.node().endpoint().faults()) +
            ", client answers " + byCause(client.answerFaults()));
        final int rows = 19;
        final float[] x = Tokens.gaussian(rows, D, rows);
        final LocalReference.Result expected = LocalReference.run(model, 0, x, rows, null);
        final InferAnswer answer = client.infer(x, rows, null, true, RequestOptions.exact()).join();
        assertEquals(AnswerStatus.OK, answer.status(), answer.detail());
        assertArrayEquals(expected.y(), answer.output());
        assertArrayEquals(expected.expert(), answer.routing().expert());
        assertTrue(system.node().health().healthy(), () -> system.node().health().report());
        assertEquals(0, system.metrics().agentErrors.get());
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.MIXIN)
    void gatewayClientIntakeCountsEveryRefusedFrame(@ForAll("attacks") final Attack attack)
    {
        final int length = build(attack, 2);
        final long before = system.metrics().clientFrames.total();
        send(toIntake, length);
        awaitCounted(() -> system.metrics().clientFrames.total(), before);
        // Exactly once: a refused frame is one count, never two.
        assertEquals(before + 1, system.metrics().clientFrames.total());
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.MIXIN)
    void gatewayExpertRepliesCountEveryRefusedFrame(@ForAll("attacks") final Attack attack)
    {
        final int length = build(attack, 1);
        final LongSupplier counted = () -> system.metrics().replyFrames.total() + system.metrics().staleReplies.get();
        final long before = counted.getAsLong();
        send(toReplies, length);
        awaitCounted(counted, before);
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.MIXIN)
    void expertEndpointCountsEveryRefusedFrame(@ForAll("attacks") final Attack attack)
    {
        final int length = build(attack, 0);
        final LongSupplier counted = () -> system.node().endpoint().faults().total();
        final long before = counted.getAsLong();
        send(toEndpoint, length);
        awaitCounted(counted, before);
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.MIXIN)
    void clientAnswersCountEveryRefusedFrame(@ForAll("attacks") final Attack attack)
    {
        final int length = build(attack, 3);
        final LongSupplier counted = () -> client.answerFaults().total();
        final long before = counted.getAsLong();
        send(toClient, length);
        awaitCounted(counted, before);
    }

    @Provide
    Arbitrary<Attack> attacks()
    {
        final Arbitrary<Mutation> mutation = Combinators.combine(
            Arbitraries.integers().between(0, 15),
            Arbitraries.of(Arrays.stream(BOUNDARIES).boxed().toList()),
            Arbitraries.of(1, 2, 4, 8)).as(Mutation::new);
        return Combinators.combine(
            Arbitraries.integers().between(0, 4),
            mutation.list().ofMaxSize(3),
            Arbitraries.integers().between(-1, 200).edgeCases(c -> c.add(-1)),
            Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, 64),
                Arbitraries.just(70_000)),
            Arbitraries.longs()).as(Attack::new);
    }

    /**
     * Builds the attack on a frame the receiver takes (kind: 0 expert endpoint, 1 gateway replies,
     * 2 gateway intake, 3 client answers): template 0 is random bytes, the others real frames that
     * the receiver must refuse as they are (an unknown sender or group, a channel no peer may ask
     * for; to a client, template 3 is a heartbeat), then broken further by the mutations, the cut
     * and the extra bytes.
     */
    static int build(final Attack attack, final int kind)
    {
        final SplittableRandom random = new SplittableRandom(attack.seed());
        int length;
        int[] fields;
        final long stranger = random.nextLong() | 1L << 62;  // no id the system knows
        final float[] rows = new float[4 * D];
        final int variant = attack.template() % 2;
        if (attack.template() == 0)
        {
            length = random.nextInt(1, 4096);
            for (int i = 0; i < length; i++)
            {
                buffer.putByte(i, (byte)random.nextInt(256));
            }
            fields = new int[] {0, 2, 4, 6, 8, 16, 24};
        }
        else if (kind == 0 && variant == 1)
        {
            length = new HelloFrame().writeGatewayHello(buffer, 0, stranger, WireLayout.GATEWAY_REPLY_STREAM_ID,
                BAD_CHANNEL);
            fields = new int[] {0, 2, 4, 6, 8, 16, 20, 24};
        }
        else if (kind == 0 || kind == 1)
        {
            length = new ExpertBlockFrame().write(buffer, 0, stranger, stranger, 0, 1, 1, 4, D, BlockStatus.OK, rows, 0);
            fields = new int[] {0, 2, 4, 6, 8, 16, 24, 28, 32, 36, 40, 44};
        }
        else if (kind == 2 && variant == 1)
        {
            length = new HelloFrame().writeClientHello(buffer, 0, stranger, 7, BAD_CHANNEL);
            fields = new int[] {0, 2, 4, 6, 8, 16, 20, 24};
        }
        else if (kind == 2)
        {
            length = new RequestFrame().write(buffer, 0, stranger, 1, 0, 0, 0, false, false, 4, D, rows, 0, null, 0);
            fields = new int[] {0, 2, 4, 6, 8, 16, 24, 32, 40, 44, 48, 52};
        }
        else if (attack.template() == 3)
        {
            length = new HelloFrame().writeHeartbeat(buffer, 0, stranger);
            fields = new int[] {0, 2, 4, 6, 8, 12};
        }
        else if (variant == 1)
        {
            length = new HelloFrame().writeWelcome(buffer, 0, new HelloFrame.Welcome(stranger, D, 4, G, 1, 64));
            fields = new int[] {0, 2, 4, 6, 8, 16, 20, 24, 28, 32, 36, 40};
        }
        else
        {
            length = new AnswerFrame().writeResult(buffer, 0, stranger, stranger, 4, D, rows, 0, null, null, null,
                null, null);
            fields = new int[] {0, 2, 4, 6, 8, 16, 24, 28, 32, 36, 37, 38};
        }
        for (final Mutation m : attack.mutations())
        {
            final int at = fields[m.field() % fields.length];
            if (at + m.width() <= buffer.capacity())
            {
                switch (m.width())
                {
                    case 1 -> buffer.putByte(at, (byte)m.value());
                    case 2 -> buffer.putShort(at, (short)m.value(), ByteOrder.LITTLE_ENDIAN);
                    case 4 -> buffer.putInt(at, (int)m.value(), ByteOrder.LITTLE_ENDIAN);
                    default -> buffer.putLong(at, m.value(), ByteOrder.LITTLE_ENDIAN);
                }
                length = Math.max(length, at + m.width());
            }
        }
        if (attack.cut() >= 0 && attack.cut() < length && attack.mutations().isEmpty() && attack.extra() == 0)
        {
            length = attack.cut();  // truncated
        }
        for (int i = 0; i < attack.extra(); i++)
        {
            buffer.putByte(length + i, (byte)random.nextInt(256));  // oversized: bytes past the message
        }
        length += attack.extra();
        return length;
    }

    static String byCause(final FrameFaults faults)
    {
        final StringBuilder out = new StringBuilder("{");
        for (final FrameFault cause : FrameFault.values())
        {
            if (faults.count(cause) > 0)
            {
                out.append(out.length() > 1 ? ", " : "").append(cause.label()).append('=').append(faults.count(cause));
            }
        }
        return out.append('}').toString();
    }

    static void send(final ExclusivePublication publication, final int length)
    {
        final long[] result = new long[1];
        Await.until(() -> (result[0] = publication.offer(buffer, 0, length)) >= 0, Duration.ofNanos(COUNT_TIMEOUT_NS),
            () -> "offer failed: " + result[0]);
    }

    static void awaitCounted(final LongSupplier counted, final long before)
    {
        Await.until(() -> counted.getAsLong() > before, Duration.ofNanos(COUNT_TIMEOUT_NS),
            () -> "a refused frame was not counted");
    }
}
