package dev.switchyard.node.system;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

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
import dev.switchyard.wire.frame.WireLayout;
import io.aeron.ExclusivePublication;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that come and go over UDP, as separate processes would (a media driver of their own):
 * hellos whose answer channel nobody reads do not hold a good client up, and a gateway that has
 * served many short clients holds no more than it did after a few.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClientLifecycleTest
{
    static final int D = 16;
    static final int G = 8;
    static final long RELEASE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    static Path dir;
    static ModelDirectory model;
    static EmbeddedSystem system;
    static DataPlane clientPlane;

    @BeforeAll
    static void start()
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 4, Activation.RELU, true,
            new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        model = ModelDirectory.open(modelDir);
        system = EmbeddedSystem.start(modelDir, ConfigFactory.parseString(
            "switchyard.gateway.max-wait-us = 100\nswitchyard.gateway.client-handshake-timeout = 3s"));
        // The clients' own media driver: to the gateway they are another process on the network.
        clientPlane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff",
            1 << 20, 1 << 20, 1408));
    }

    @AfterAll
    static void stop()
    {
        if (clientPlane != null)
        {
            clientPlane.close();
        }
        if (system != null)
        {
            system.close();
        }
        if (model != null)
        {
            model.close();
        }
    }

    static float[] tokens(final int rows, final long seed)
    {
        return Tokens.gaussian(rows, D, seed);
    }

    /** Connects a new client, has it answered (bit-exact) and closes it; returns the nanoseconds it took. */
    static long shortClient(final long seed)
    {
        final float[] x = tokens(3, seed);
        final long start = System.nanoTime();
        try (SwitchyardClient client = SwitchyardClient.connect(clientPlane, system.gatewayAddress()))
        {
            final InferAnswer answer = client.infer(x, 3, null, false, RequestOptions.exact()).join();
            final long took = System.nanoTime() - start;
            assertEquals(AnswerStatus.OK, answer.status(), answer.detail());
            assertArrayEquals(LocalReference.run(model, 0, x, 3, null).y(), answer.output());
            return took;
        }
    }

    @Test
    void hellosWithUnreachableAnswerChannelsDoNotDelayAGoodClient() throws Exception
    {
        shortClient(1);  // warm
        final long[] alone = new long[5];
        for (int i = 0; i < alone.length; i++)
        {
            alone[i] = shortClient(2 + i);
        }
        final long baseline = median(alone);
        final long givenUpBefore = system.metrics().clientsGivenUp.get();
        final AtomicBoolean attacking = new AtomicBoolean(true);
        // A bound socket that never reads: Aeron sends it setup frames, nobody answers them.
        try (DatagramSocket deaf = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            final String deafChannel = "aeron:udp?endpoint=127.0.0.1:" + deaf.getLocalPort();
            final ExclusivePublication toGateway = clientPlane.publish(
                system.node().gateway().clientChannel(), WireLayout.CLIENT_REQUEST_STREAM_ID);
            final Thread attacker = new Thread(() ->
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
                final HelloFrame hello = new HelloFrame();
                while (attacking.get())
                {
                    // 16 clients that cannot be answered, re-sending their hellos as a client does.
                    for (int id = 1; id <= 16; id++)
                    {
                        final String channel = id % 4 == 0 ? "aeron:ipc" : deafChannel;
                        final int length = hello.writeClientHello(buffer, 0, 9_000_000 + id, 4242, channel);
                        toGateway.offer(buffer, 0, length);
                    }
                    try
                    {
                        Thread.sleep(100);  // the scenario's pace: clients re-send their hellos on a timer
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
            }, "hostile-hellos");
            final long attackStart = System.nanoTime();
            attacker.start();
            try
            {
                Await.until(toGateway::isConnected, Duration.ofSeconds(10), () -> "the hostile publication did not connect");
                // Medians: one scheduling stall of a loaded machine is not the attack's doing.
                final long[] attacked = new long[5];
                for (int i = 0; i < attacked.length; i++)
                {
                    attacked[i] = shortClient(10 + i);
                }
                final long delayMs = TimeUnit.NANOSECONDS.toMillis(median(attacked) - baseline);
                System.out.println("good client under 16 unreachable hellos: median " +
                    TimeUnit.NANOSECONDS.toMillis(median(attacked)) + " ms (worst " +
                    TimeUnit.NANOSECONDS.toMillis(Arrays.stream(attacked).max().orElse(0)) + " ms), alone " +
                    TimeUnit.NANOSECONDS.toMillis(baseline) + " ms: delay " + delayMs + " ms");
                assertTrue(delayMs < 1000, "a good client was delayed " + delayMs + " ms");
            }
            finally
            {
                attacking.set(false);
                attacker.join();
                toGateway.close();
            }
            // Each unreachable client is given up once per handshake timeout and cool-down (3 s each
            // here), however often it said hello.
            final long attackMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attackStart);
            Await.until(() -> system.metrics().clientsGivenUp.get() - givenUpBefore >= 16, Duration.ofSeconds(20),
                () -> "unreachable clients were not given up");
            final long givenUp = system.metrics().clientsGivenUp.get() - givenUpBefore;
            assertTrue(givenUp <= 16 * (1 + attackMs / 6000), givenUp + " given up in " + attackMs + " ms");
        }
    }

    @Test
    void fiveHundredShortClientsLeaveNoMoreBehindThanTen() throws Exception
    {
        for (int i = 0; i < 10; i++)
        {
            shortClient(100 + i);
        }
        final Usage afterTen = awaitReleased();
        // 490 more, in turn on each of 5 lanes: one after the other, as short-lived processes come and go.
        final int lanes = 5;
        final Thread[] threads = new Thread[lanes];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int lane = 0; lane < lanes; lane++)
        {
            final int first = 10 + lane * 98;
            threads[lane] = new Thread(() ->
            {
                try
                {
                    for (int i = first; i < first + 98; i++)
                    {
                        shortClient(100 + i);
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            }, "clients-" + lane);
            threads[lane].start();
        }
        for (final Thread t : threads)
        {
            t.join();
        }
        if (failure.get() != null)
        {
            throw new AssertionError("a short client failed", failure.get());
        }
        awaitReleased();
        final Usage afterAll = awaitSettled(afterTen);
        System.out.println("after 10 clients: " + afterTen + "; after 500: " + afterAll);
        assertTrue(afterAll.descriptors() <= afterTen.descriptors() + 4, afterTen + " then " + afterAll);
        assertTrue(afterAll.mappedLogs() <= afterTen.mappedLogs(), afterTen + " then " + afterAll);
        assertTrue(afterAll.shmBytes() <= afterTen.shmBytes(), afterTen + " then " + afterAll);
    }

    static long median(final long[] values)
    {
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    record Usage(long descriptors, long mappedLogs, long shmBytes)
    {
        @Override
        public String toString()
        {
            return descriptors + " descriptors, " + mappedLogs + " mapped log buffers, " + (shmBytes >> 20) +
                " MiB of log buffers";
        }
    }

    /** Waits until the gateway has released every client that left, then until the holdings settle. */
    static Usage awaitReleased() throws Exception
    {
        final long deadline = System.nanoTime() + RELEASE_TIMEOUT_NS;
        Await.until(() -> system.metrics().clientsConnected.get() <= 0, Duration.ofNanos(RELEASE_TIMEOUT_NS),
            () -> "clients that left were not released: " + system.metrics().clientsConnected.get() + " still connected");
        return awaitQuiet(deadline);
    }

    /** Waits until what the process holds is back to {@code before} (bounded), and returns it. */
    static Usage awaitSettled(final Usage before) throws Exception
    {
        final long deadline = System.nanoTime() + RELEASE_TIMEOUT_NS;
        Usage now = usage();
        while ((now.descriptors() > before.descriptors() + 4 || now.mappedLogs() > before.mappedLogs() ||
            now.shmBytes() > before.shmBytes()) && System.nanoTime() < deadline)
        {
            Thread.sleep(100);  // the sampling interval of a bounded wait: the caller asserts on what it returns
            now = usage();
        }
        return now;
    }

    /** Waits until the process's holdings stop changing for a while (publications linger after close). */
    static Usage awaitQuiet(final long deadline) throws Exception
    {
        Usage last = usage();
        int stable = 0;
        while (stable < 20 && System.nanoTime() < deadline)
        {
            Thread.sleep(100);  // the sampling interval: quiet means 20 samples alike; the caller judges the figures
            final Usage now = usage();
            stable = now.equals(last) ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    /** Open descriptors, mapped Aeron log buffers and their bytes on disk, of both media drivers. */
    static Usage usage() throws IOException
    {
        final long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd")))
        {
            fds = s.count();
        }
        final long maps;
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps")))
        {
            maps = lines.filter(l -> l.endsWith(".logbuffer")).map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .distinct().count();
        }
        long bytes = 0;
        for (final DataPlane plane : new DataPlane[] {clientPlane, system.node().dataPlane()})
        {
            final File[] logs = new File(plane.aeron().context().aeronDirectoryName(), "publications").listFiles();
            for (final File log : logs == null ? new File[0] : logs)
            {
                bytes += log.length();  // 0 for one removed meanwhile
            }
        }
        return new Usage(fds, maps, bytes);
    }
}
