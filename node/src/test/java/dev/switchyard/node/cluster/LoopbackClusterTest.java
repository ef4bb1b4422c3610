package dev.switchyard.node.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
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
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three actor systems on loopback, each with its own media driver and ports: a gateway node that
 * also hosts experts, and two expert nodes. Outputs equal the in-process layer bit for bit, and an
 * expert node leaving gracefully under traffic loses no request and answers none twice.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LoopbackClusterTest
{
    private static final int D = 16;
    private static final int G = 8;

    @TempDir
    Path dir;

    private static Config node(final Path model, final String role, final String seed)
    {
        return LoopbackNodeConfig.of(model, role, seed, "");
    }

    private static float[] tokens(final int rows, final long seed)
    {
        return Tokens.gaussian(rows, D, seed);
    }

    @Test
    void servesExactlyAcrossNodesAndSurvivesAGracefulLeave() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, 6, Activation.RELU, true,
            new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 1, 11);
        SwitchyardNode a = null;
        SwitchyardNode b = null;
        SwitchyardNode c = null;
        try (ModelDirectory model = ModelDirectory.open(modelDir))
        {
            a = SwitchyardNode.start(node(modelDir, "all", null));
            final String seed = a.clusterAddress();
            b = SwitchyardNode.start(node(modelDir, "experts", seed));
            c = SwitchyardNode.start(node(modelDir, "experts", seed));
            awaitUp(a, 3);
            a.awaitReady(java.time.Duration.ofSeconds(60));

            final float[][] inputs = new float[4][];
            for (int i = 0; i < inputs.length; i++)
            {
                final int rows = 5 + 7 * i;
                inputs[i] = tokens(rows, 40 + i);
            }
            final SwitchyardClient client = SwitchyardClient.ipc(a.dataPlane());
            try
            {
                // Traffic until sharding has spread experts onto the node that will leave.
                final long spreadDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int n = 0;
                while (c.endpoint().rowsServed() == 0 || b.endpoint().rowsServed() == 0)
                {
                    assertTrue(System.nanoTime() < spreadDeadline, "experts never reached the other nodes");
                    final int i = n++ % inputs.length;
                    final InferAnswer answer = client.infer(inputs[i], inputs[i].length / D, null, false).join();
                    assertEquals(AnswerStatus.OK, answer.status(), answer.detail());
                    assertInProcess(model, inputs[i], answer, "spread request " + n);
                }

                // Traffic while node c leaves.
                final List<CompletableFuture<InferAnswer>> futures = new ArrayList<>();
                final List<Integer> which = new ArrayList<>();
                final SwitchyardNode leaving = c;
                final Thread leave = new Thread(leaving::close, "leave");
                for (int r = 0; r < 400; r++)
                {
                    if (r == 40)
                    {
                        leave.start();
                    }
                    final int i = r % inputs.length;
                    which.add(i);
                    futures.add(client.infer(inputs[i], inputs[i].length / D, null, false));
                    Thread.sleep(5);  // paced, so that the requests span the leave rather than precede it
                }
                Threads.joinOrFail(leave, Duration.ofSeconds(90));
                c = null;
                for (int k = 0; k < futures.size(); k++)
                {
                    final int r = k;
                    final InferAnswer answer = futures.get(r).get(60, TimeUnit.SECONDS);
                    assertEquals(AnswerStatus.OK, answer.status(), "request " + r + ": " + answer.detail());
                    assertInProcess(model, inputs[which.get(r)], answer, "request " + r);
                }
                assertEquals(0, client.unmatchedAnswers(), "answers given twice");
                assertEquals(0, a.metrics().answers.errors());
                assertEquals(a.metrics().answers.get(BlockStatus.OK), n + futures.size());

                // Every expert is served by the two nodes left.
                final long before = a.metrics().groupsDispatched.get();
                for (int i = 0; i < inputs.length; i++)
                {
                    assertInProcess(model, inputs[i], client.infer(inputs[i], inputs[i].length / D, null, false).join(),
                        "after the leave, input " + i);
                }
                assertTrue(a.metrics().groupsDispatched.get() > before);
            }
            finally
            {
                client.close();
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(c, b, a);
        }
    }

    /** Bit for bit the in-process layer ({@code infer --local}'s LocalMoeLayer) on the same tokens. */
    private static void assertInProcess(
        final ModelDirectory model, final float[] x, final InferAnswer answer, final String what)
    {
        assertArrayEquals(LocalReferenceAccess.output(model, x, x.length / D), answer.output(), what);
    }

    private static void awaitUp(final SwitchyardNode node, final int members)
    {
        Await.until(() -> up(node) >= members, Duration.ofSeconds(60),
            () -> "cluster did not form: " + up(node) + " members up");
    }

    private static int up(final SwitchyardNode node)
    {
        int up = 0;
        for (final var m : Cluster.get(node.actorSystem()).state().getMembers())
        {
            if (m.status() == MemberStatus.up())
            {
                up++;
            }
        }
        return up;
    }
}
