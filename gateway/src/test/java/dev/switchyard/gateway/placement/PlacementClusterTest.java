package dev.switchyard.gateway.placement;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.typesafe.config.Config;
import dev.switchyard.experts.actor.ExpertActor;
import dev.switchyard.experts.actor.ExpertId;
import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.gateway.cluster.LoopbackNodeConfig;
import dev.switchyard.gateway.system.LocalReferenceAccess;
import dev.switchyard.gateway.system.SwitchyardNode;
import dev.switchyard.router.config.Activation;
import dev.switchyard.router.config.ModelConfig;
import dev.switchyard.router.config.Normalize;
import dev.switchyard.router.config.RoutingConfig;
import dev.switchyard.router.config.SecondPolicy;
import dev.switchyard.router.model.ModelDirectory;
import dev.switchyard.router.model.ModelGenerator;
import org.agrona.CloseHelper;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway node and three expert nodes (actor systems with their own media drivers, on loopback)
 * under traffic aimed at the experts that share one node: placement spreads the measured work, so
 * max/mean of the rows the three nodes computed drops, and while experts move (and hot experts gain
 * copies) every request is answered once, OK and equal to the in-process layer.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PlacementClusterTest
{
    private static final int D = 16;
    private static final int F = 64;
    private static final int E = 8;
    private static final int ROWS = 32;
    private static final int INPUTS = 24;
    private static final int IN_FLIGHT = 4;

    @TempDir
    Path dir;

    private static Config node(final Path model, final String role, final String seed)
    {
        return LoopbackNodeConfig.of(model, role, seed,
            "switchyard.placement.window = 4s\n" +
            "switchyard.placement.publish-interval = 500ms\n" +
            "switchyard.placement.max-concurrent-moves = 2\n" +
            "switchyard.placement.hot-share = 0.2\n" +
            "switchyard.placement.cool-share = 0.1\n");
    }

    @Test
    void spreadsMeasuredWorkAcrossNodesWithoutFailingARequest() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, F, E, Activation.RELU, true,
            new RoutingConfig(16, 4.0, 4, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 1, 7);
        SwitchyardNode gateway = null;
        final SwitchyardNode[] experts = new SwitchyardNode[3];
        try (ModelDirectory model = ModelDirectory.open(modelDir))
        {
            gateway = SwitchyardNode.start(node(modelDir, "gateway", null));
            for (int i = 0; i < experts.length; i++)
            {
                experts[i] = SwitchyardNode.start(node(modelDir, "experts", gateway.clusterAddress()));
            }
            final SwitchyardNode g = gateway;
            await(() -> up(g) == 4, 60, "cluster of 4 did not form");
            gateway.awaitReady(Duration.ofSeconds(60));
            // Placed by count while nothing is measured: 3, 3 and 2 experts.
            await(() -> spread(g, experts) <= 1 && g.placement().state().moving().isEmpty(), 60,
                "experts not spread by count");
            final Map<String, List<Integer>> before = where(gateway);
            before.remove("(moving)");
            final List<Integer> hot = before.values().stream().max((a, b) -> a.size() - b.size()).orElseThrow();
            final Traffic traffic = new Traffic(model, hot, SwitchyardClient.ipc(gateway.dataPlane()));
            try
            {
                // Before: the experts that share a node take most rows, until placement first acts.
                long[] start = served(experts);
                final long phaseDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!acted(gateway))
                {
                    assertTrue(System.nanoTime() < phaseDeadline, "placement never acted");
                    traffic.send(8);
                }
                final double skewed = imbalance(delta(served(experts), start));

                // Moves (and hot copies) under traffic, until placement has been quiet a while.
                long quietSince = System.nanoTime();
                String last = where(gateway) + " " + gateway.placement().state().extraCopies();
                final long settleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(6))
                {
                    assertTrue(System.nanoTime() < settleDeadline, "placement never settled: " + last);
                    traffic.send(40);
                    final String now = where(gateway) + " " + gateway.placement().state().extraCopies();
                    if (!now.equals(last) || now.contains("(moving)") || !gateway.placement().state().moving().isEmpty())
                    {
                        last = now;
                        quietSince = System.nanoTime();
                    }
                }

                // After: the same traffic, spread.
                start = served(experts);
                traffic.send(300);
                traffic.drain();
                final double placed = imbalance(delta(served(experts), start));
                System.out.printf(Locale.ROOT, "placement: max/mean of rows computed on 3 expert nodes %.2f before, " +
                    "%.2f after (hot experts %s on one node; placement %s, extra copies %s)%n", skewed, placed, hot,
                    last, gateway.placement().state().extraCopies());
                assertTrue(placed < skewed, "max/mean " + skewed + " -> " + placed);
                assertTrue(placed < 1.5, "after placement max/mean " + placed);

                assertEquals(0, traffic.client.unmatchedAnswers(), "answers given twice");
                assertEquals(0, gateway.metrics().answers.errors(), "requests that failed");
                assertEquals(traffic.sent, traffic.checked, "requests answered");
            }
            finally
            {
                traffic.client.close();
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(experts[2], experts[1], experts[0], gateway);
        }
    }

    /** Skewed requests, at most IN_FLIGHT outstanding, every answer checked against the in-process layer. */
    private static final class Traffic
    {
        final SwitchyardClient client;
        final float[][] inputs = new float[INPUTS][];
        final float[][] expected = new float[INPUTS][];
        final ArrayDeque<CompletableFuture<InferAnswer>> pending = new ArrayDeque<>();
        final ArrayDeque<Integer> which = new ArrayDeque<>();
        int sent;
        int checked;

        Traffic(final ModelDirectory model, final List<Integer> hot, final SwitchyardClient client)
        {
            this.client = client;
            final float[] router = model.router(0).toArray();  // [E, D]
            final SplittableRandom random = new SplittableRandom(5);
            for (int i = 0; i < INPUTS; i++)
            {
                inputs[i] = new float[ROWS * D];
                for (int t = 0; t < ROWS; t++)
                {
                    // Nine tokens in ten lean towards a hot expert's router row.
                    final int e = random.nextInt(10) < 9 ? hot.get(random.nextInt(hot.size())) : random.nextInt(E);
                    double norm = 0;
                    for (int j = 0; j < D; j++)
                    {
                        norm += router[e * D + j] * router[e * D + j];
                    }
                    for (int j = 0; j < D; j++)
                    {
                        inputs[i][t * D + j] = (float)(random.nextGaussian() + 4 * router[e * D + j] / Math.sqrt(norm));
                    }
                }
                expected[i] = LocalReferenceAccess.output(model, inputs[i], ROWS);
            }
        }

        void send(final int requests) throws Exception
        {
            for (int r = 0; r < requests; r++)
            {
                while (pending.size() >= IN_FLIGHT)
                {
                    checkOldest();
                }
                final int i = sent % INPUTS;
                pending.add(client.infer(inputs[i], ROWS, null, false));
                which.add(i);
                sent++;
            }
        }

        void drain() throws Exception
        {
            while (!pending.isEmpty())
            {
                checkOldest();
            }
        }

        private void checkOldest() throws Exception
        {
            final InferAnswer answer = pending.poll().get(60, TimeUnit.SECONDS);
            final int i = which.poll();
            assertEquals(AnswerStatus.OK, answer.status(), "request " + checked + ": " + answer.detail());
            assertArrayEquals(expected[i], answer.output(), "request " + checked);
            checked++;
        }
    }

    /** Whether placement has decided a move or an extra copy. */
    private static boolean acted(final SwitchyardNode gateway)
    {
        final PlacementMessage.State state = gateway.placement().state();
        return !state.moving().isEmpty() || !state.extraCopies().isEmpty();
    }

    /**
     * Node -> the experts (first copies) it hosts, as sharding answers; an expert not located in
     * time (moving, or a loaded host stalling the cluster) is listed under "(moving)".
     */
    private static Map<String, List<Integer>> where(final SwitchyardNode gateway)
    {
        final Map<String, List<Integer>> out = new TreeMap<>();
        final ClusterSharding sharding = ClusterSharding.get(gateway.actorSystem());
        for (int e = 0; e < E; e++)
        {
            final ExpertActor.Located at = AskPattern.<ExpertActor.Command, ExpertActor.Located>ask(
                sharding.entityRefFor(ExpertActor.TYPE_KEY, new ExpertId(0, e).entityId()), ExpertActor.Locate::new,
                Duration.ofSeconds(5), gateway.actorSystem().scheduler()).toCompletableFuture()
                .exceptionally(failure -> null).join();
            out.computeIfAbsent(at == null ? "(moving)" : at.node(), k -> new ArrayList<>()).add(e);
        }
        return out;
    }

    /** Most minus fewest experts on the expert nodes. */
    private static int spread(final SwitchyardNode gateway, final SwitchyardNode[] experts)
    {
        final Map<String, List<Integer>> at = where(gateway);
        if (at.containsKey("(moving)"))
        {
            return Integer.MAX_VALUE;
        }
        int most = 0;
        int fewest = Integer.MAX_VALUE;
        for (final SwitchyardNode node : experts)
        {
            final int n = at.getOrDefault(address(node), List.of()).size();
            most = Math.max(most, n);
            fewest = Math.min(fewest, n);
        }
        return most - fewest;
    }

    private static String address(final SwitchyardNode node)
    {
        return Cluster.get(node.actorSystem()).selfMember().address().toString();
    }

    private static long[] served(final SwitchyardNode[] experts)
    {
        final long[] rows = new long[experts.length];
        for (int i = 0; i < experts.length; i++)
        {
            rows[i] = experts[i].endpoint().rowsServed();
        }
        return rows;
    }

    private static double[] delta(final long[] now, final long[] start)
    {
        final double[] d = new double[now.length];
        for (int i = 0; i < now.length; i++)
        {
            d[i] = now[i] - start[i];
        }
        return d;
    }

    private static double imbalance(final double[] rows)
    {
        final Map<String, Double> work = new TreeMap<>();
        for (int i = 0; i < rows.length; i++)
        {
            work.put("n" + i, rows[i]);
        }
        return PlacementPlanner.imbalance(work);
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

    private static void await(final BooleanSupplier condition, final int seconds, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(100);
        }
    }
}
