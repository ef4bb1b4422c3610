package dev.switchyard.node.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.layer.LocalMoeLayer;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.testkit.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pause is not a crash. Real {@code switchyard serve} JVMs are stopped with SIGSTOP, as a long
 * stop-the-world collection or a frozen VM would stop them, and resumed with SIGCONT: a node paused
 * 30 s serves again without exiting, and its client (the same instance) is served again; an expert
 * node that the cluster downed while it stood still starts again in its process, rejoins as a new
 * member and serves its experts.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PauseTest
{
    private static final int D = 32;
    private static final int EXPERTS = 4;
    private static final int ROWS = 256;
    private static final Duration PAUSE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aNodePausedThirtySecondsServesItsClientsAgain() throws Exception
    {
        final Path model = model();
        final int httpPort = freePort();
        try (ServeProcess node = ServeProcess.start("node", "--model", model.toString(), "--cluster", "127.0.0.1:0",
            "--bind", "127.0.0.1:0", "--http-port", Integer.toString(httpPort), "--group-per-request"))
        {
            final String gateway = node.addresses(120)[1];
            final float[] x = tokens();
            final float[] expected = reference(model, x);
            try (SwitchyardClient client = SwitchyardClient.connect(gateway))
            {
                assertArrayEquals(expected, servedWithin(client, x, 60, node).output(), "before the pause");
                node.pause();
                // The pause itself: the paused process must not have exited when it ends.
                assertFalse(node.awaitExit(PAUSE.toSeconds()), "the paused node exited");
                assertNotNull(client.lostGateway(), "a client whose gateway stood still for " + PAUSE + " noticed nothing");
                final long resumedNs = System.nanoTime();
                node.resume();
                final InferAnswer after = servedWithin(client, x, 30, node);
                System.out.println("paused " + PAUSE.toSeconds() + " s: served again " +
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumedNs) + " ms after SIGCONT");
                assertArrayEquals(expected, after.output(), "after the pause");
                assertEquals(null, client.lostGateway());
            }
            assertTrue(node.alive(), "the node exited after its pause:\n" + node.output());
            final HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().endsWith("ok\n"), health.body());
            assertFalse(node.output().contains("exiting"), node.output());
        }
    }

    @Test
    void anExpertNodeDownedWhilePausedRejoinsAsANewMember() throws Exception
    {
        final Path model = model();
        final Path conf = dir.resolve("local.conf");
        Files.writeString(conf, "switchyard.cluster.failure-profile = local\n");
        try (ServeProcess gatewayNode = ServeProcess.start("gateway", "--role", "gateway", "--model", model.toString(),
            "--cluster", "127.0.0.1:0", "--bind", "127.0.0.1:0", "--group-per-request", "--config", conf.toString()))
        {
            final String[] gatewayAddresses = gatewayNode.addresses(120);
            try (ServeProcess experts = ServeProcess.start("experts", "--role", "experts", "--model", model.toString(),
                "--cluster", "127.0.0.1:0", "--seed-nodes", gatewayAddresses[0], "--config", conf.toString());
                 SwitchyardClient client = SwitchyardClient.connect(gatewayAddresses[1]))
            {
                final float[] x = tokens();
                final float[] expected = reference(model, x);
                assertArrayEquals(expected, servedWithin(client, x, 120, experts).output(), "before the pause");
                experts.pause();
                // The local profile downs a node silent for about 2 s: wait until the gateway's side removed it.
                gatewayNode.await(l -> l.contains("Leader is removing") || l.contains("is downing"), 60,
                    "that it downs the paused node");
                experts.resume();
                final long restartNs = experts.await(l -> l.contains("starting it again as a new member"), 60,
                    "that it rejoins").atNs();
                experts.awaitAfter(restartNs, l -> l.startsWith("switchyard serving"), 60, "that it serves again");
                assertArrayEquals(expected, servedWithin(client, x, 60, experts).output(), "after the rejoin");
                assertTrue(experts.alive(), "the downed node exited:\n" + experts.output());
            }
        }
    }

    /** Sends {@code x} until it is answered OK (a client may find its gateway lost for a moment), within {@code seconds}. */
    private static InferAnswer servedWithin(
        final SwitchyardClient client, final float[] x, final long seconds, final ServeProcess node)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        InferAnswer last = null;
        while (System.nanoTime() - deadline < 0)
        {
            last = client.infer(x, ROWS, null, false, RequestOptions.exact().withDeadline(Duration.ofSeconds(5))).join();
            if (last.status() == AnswerStatus.OK)
            {
                return last;
            }
            // Not yet served: a lost gateway answers at once, so wait for the client to win it back.
            final long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            while (client.lostGateway() != null && System.nanoTime() - waitUntil < 0)
            {
                Thread.onSpinWait();
            }
        }
        throw new AssertionError("not served within " + seconds + " s; last answer " + last + "; the node said:\n" +
            node.output());
    }

    private Path model()
    {
        final Path model = dir.resolve("model");
        ModelGenerator.generate(model, new ModelConfig(D, 64, EXPERTS, Activation.RELU, true,
            new RoutingConfig(64, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        return model;
    }

    private static float[] tokens()
    {
        return Tokens.gaussian(ROWS, D, 11);
    }

    private static float[] reference(final Path model, final float[] x)
    {
        final float[] y = new float[x.length];
        LocalMoeLayer.load(ModelDirectory.open(model), 0, ComputeBackends.vector(ComputePool.callerOnly()),
            WeightFormat.F32).forward(x, ROWS, null, y, null);
        return y;
    }

    private static int freePort() throws Exception
    {
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return free.getLocalPort();
        }
    }
}
