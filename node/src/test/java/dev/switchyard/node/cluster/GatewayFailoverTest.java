package dev.switchyard.node.cluster;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
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
import dev.switchyard.node.system.LocalReferenceAccess;
import dev.switchyard.node.system.SwitchyardNode;
import dev.switchyard.testkit.Await;
import dev.switchyard.testkit.Threads;
import dev.switchyard.testkit.Tokens;
import dev.switchyard.wire.sbe.BlockStatus;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gateways of one cluster (and an expert node), one client given both, paced requests all the
 * while: gateway A stops (drains: it answers what it took, refuses the rest as SHUTTING_DOWN, which
 * the client sends to B), starts again at the same address and is won back; then B stops the same
 * way. Every request is answered exactly once, OK and bit-exact: a rolling restart of the gateways
 * fails nothing. A client that connects while A is down connects through B, and sends to A too once
 * A is up.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GatewayFailoverTest
{
    private static final int D = 16;

    @TempDir
    Path dir;

    @Test
    void aRollingRestartOfTheGatewaysFailsNoRequest() throws Exception
    {
        final Path modelDir = model();
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        SwitchyardNode experts = null;
        SwitchyardNode a = null;
        SwitchyardNode b = null;
        final List<SwitchyardNode> stopped = new ArrayList<>();
        SwitchyardClient late = null;
        try (ModelDirectory model = ModelDirectory.open(modelDir))
        {
            experts = SwitchyardNode.start(LoopbackNodeConfig.of(modelDir, "experts", null, ""));
            final String seed = experts.clusterAddress();
            a = SwitchyardNode.start(gateway(modelDir, seed, portA));
            b = SwitchyardNode.start(gateway(modelDir, seed, portB));
            a.awaitReady(Duration.ofSeconds(60));
            b.awaitReady(Duration.ofSeconds(60));
            final float[][] inputs = new float[4][];
            final float[][] expected = new float[inputs.length][];
            for (int i = 0; i < inputs.length; i++)
            {
                inputs[i] = Tokens.gaussian(5 + 7 * i, D, 40 + i);
                expected[i] = LocalReferenceAccess.output(model, inputs[i], inputs[i].length / D);
            }
            try (SwitchyardClient client = SwitchyardClient.connect("127.0.0.1:" + portA + ", 127.0.0.1:" + portB))
            {
                assertEquals(2, client.gateways());
                // Connecting returns once one gateway welcomes the client; the other joins on its own thread.
                Await.until(() -> client.gatewaysServing() == 2, Duration.ofSeconds(30),
                    () -> "the client never came to be served by both gateways");
                final Paced load = new Paced(client, inputs);
                final Thread loadThread = new Thread(load, "paced requests");
                loadThread.start();
                try
                {
                    load.awaitSent(50);
                    stopped.add(a);
                    a.close();
                    load.awaitSent(load.sent() + 50);
                    late = SwitchyardClient.connect("127.0.0.1:" + portA + ",127.0.0.1:" + portB);
                    assertEquals(1, late.gatewaysServing());
                    assertArrayEquals(expected[0], late.infer(inputs[0], inputs[0].length / D, null, false)
                        .get(30, TimeUnit.SECONDS).output(), "the late client through the gateway that is up");
                    a = SwitchyardNode.start(gateway(modelDir, seed, portA));
                    a.awaitReady(Duration.ofSeconds(60));
                    // The client says hello to a lost gateway every 500 ms: the restarted one welcomes it.
                    Await.until(() -> client.gatewaysServing() == 2, Duration.ofSeconds(30),
                        () -> "the restarted gateway never served the client again");
                    final SwitchyardClient lateClient = late;
                    Await.until(() -> lateClient.gatewaysServing() == 2, Duration.ofSeconds(30),
                        () -> "the gateway that was down when the late client connected never served it");
                    stopped.add(b);
                    b.close();
                    b = null;
                    load.awaitSent(load.sent() + 50);
                    assertTrue(a.metrics().answers.get(BlockStatus.OK) > 0, "the restarted gateway served nothing");
                }
                finally
                {
                    load.stop = true;
                    Threads.joinOrFail(loadThread, Duration.ofSeconds(30));
                }
                final Map<String, Integer> byStatus = new TreeMap<>();
                for (int r = 0; r < load.answers.size(); r++)
                {
                    final InferAnswer answer = load.answers.get(r).get(30, TimeUnit.SECONDS);
                    byStatus.merge(answer.status().name(), 1, Integer::sum);
                    assertEquals(AnswerStatus.OK, answer.status(), "request " + r + ": " + answer.detail());
                    assertArrayEquals(expected[r % inputs.length], answer.output(), "request " + r);
                }
                System.out.printf("gateway failover: %d requests %s, answered twice %d; refused as SHUTTING_DOWN " +
                    "by the stopping gateways %d and %d%n", load.answers.size(), byStatus, client.unmatchedAnswers(),
                    stopped.get(0).metrics().answers.get(BlockStatus.SHUTTING_DOWN),
                    stopped.get(1).metrics().answers.get(BlockStatus.SHUTTING_DOWN));
                assertEquals(0, client.unmatchedAnswers(), "answers given twice");
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(late, b, a, experts);
        }
    }

    /**
     * Gateway A admits 2 requests at a time, B many; sixteen clients (one media driver) given both send 8
     * requests each at once. Those that prefer A find it full: what A refuses as overloaded goes to B,
     * and every request is answered OK, bit-exact and once.
     */
    @Test
    void aRequestAnOverloadedGatewayRefusesGoesToAnother() throws Exception
    {
        final Path modelDir = model();
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        final List<SwitchyardClient> clients = new ArrayList<>();
        SwitchyardNode experts = null;
        SwitchyardNode a = null;
        SwitchyardNode b = null;
        DataPlane plane = null;
        try (ModelDirectory model = ModelDirectory.open(modelDir))
        {
            experts = SwitchyardNode.start(LoopbackNodeConfig.of(modelDir, "experts", null, ""));
            a = SwitchyardNode.start(LoopbackNodeConfig.of(modelDir, "gateway", experts.clusterAddress(),
                "switchyard.gateway.bind = \"127.0.0.1:" + portA + "\"\nswitchyard.gateway.max-queued-requests = 2\n"));
            b = SwitchyardNode.start(gateway(modelDir, experts.clusterAddress(), portB));
            a.awaitReady(Duration.ofSeconds(60));
            b.awaitReady(Duration.ofSeconds(60));
            plane = DataPlane.start(new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff", 1 << 20, 1 << 20,
                1408));
            for (int c = 0; c < 16; c++)
            {
                clients.add(SwitchyardClient.connect(plane, "127.0.0.1:" + portA + ",127.0.0.1:" + portB));
            }
            // A refused request goes only to a gateway the client is served by: wait until each has both.
            for (final SwitchyardClient client : clients)
            {
                Await.until(() -> client.gatewaysServing() == 2, Duration.ofSeconds(30),
                    () -> "a client never came to be served by both gateways");
            }
            final float[] x = Tokens.gaussian(13, D, 3);
            final float[] expected = LocalReferenceAccess.output(model, x, 13);
            final List<CompletableFuture<InferAnswer>> answers = new ArrayList<>();
            for (final SwitchyardClient client : clients)
            {
                for (int r = 0; r < 8; r++)
                {
                    answers.add(client.infer(x, 13, null, false));
                }
            }
            for (final CompletableFuture<InferAnswer> answer : answers)
            {
                final InferAnswer done = answer.get(30, TimeUnit.SECONDS);
                assertEquals(AnswerStatus.OK, done.status(), done.detail());
                assertArrayEquals(expected, done.output());
            }
            final long refused = a.metrics().answers.get(BlockStatus.OVERLOADED);
            System.out.printf("gateway failover: %d requests OK; gateway A refused %d as overloaded, answered %d; " +
                "B answered %d%n", answers.size(), refused, a.metrics().answers.get(BlockStatus.OK),
                b.metrics().answers.get(BlockStatus.OK));
            // Sixteen clients each prefer A or B at random: all preferring B is a chance of 1 in 65,536.
            assertTrue(refused > 0, "gateway A refused nothing");
            for (final SwitchyardClient client : clients)
            {
                assertEquals(0, client.unmatchedAnswers(), "answers given twice");
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(clients);
            CloseHelper.quietCloseAll(b, a, experts, plane);
        }
    }

    /** The served model: 6 experts of d 16, groups of 8, top-2. */
    private Path model() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 6, Activation.RELU, true,
            new RoutingConfig(8, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 1, 11);
        return modelDir;
    }

    /** A gateway node whose clients' port is {@code port} (the same after a restart). */
    private static Config gateway(final Path model, final String seed, final int port)
    {
        return LoopbackNodeConfig.of(model, "gateway", seed, "switchyard.gateway.bind = \"127.0.0.1:" + port + "\"\n");
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /** Requests every 10 ms, each with an 8 s deadline, their answers kept in order of sending. */
    private static final class Paced implements Runnable
    {
        final List<CompletableFuture<InferAnswer>> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final SwitchyardClient client;
        private final float[][] inputs;
        volatile boolean stop;

        Paced(final SwitchyardClient client, final float[][] inputs)
        {
            this.client = client;
            this.inputs = inputs;
        }

        @Override
        public void run()
        {
            final RequestOptions options = RequestOptions.exact().withDeadline(Duration.ofSeconds(8));
            long next = System.nanoTime();
            while (!stop)
            {
                final float[] x = inputs[answers.size() % inputs.length];
                answers.add(client.infer(x, x.length / D, null, false, options));
                next += TimeUnit.MILLISECONDS.toNanos(10);
                java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
            }
        }

        int sent()
        {
            return answers.size();
        }

        void awaitSent(final int count)
        {
            Await.until(() -> answers.size() >= count, Duration.ofSeconds(60), () -> answers.size() + " sent");
        }
    }
}
