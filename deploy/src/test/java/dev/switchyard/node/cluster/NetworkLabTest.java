package dev.switchyard.node.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

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
import dev.switchyard.node.cluster.OpenLoopLoad.Phase;
import dev.switchyard.node.cluster.OpenLoopLoad.Sent;
import dev.switchyard.node.system.LocalReferenceAccess;
import dev.switchyard.testkit.Await;
import dev.switchyard.testkit.Threads;
import dev.switchyard.testkit.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A cluster on a real network path ({@link NetLab}: namespaces on a bridge, MTU 1500, one node per
 * host, the client on a host of its own), with no {@code --data-host}: two gateway nodes
 * ({@code --on-unavailable drop}, both seed nodes, the client given both) and four expert nodes under
 * open-loop load at 20 requests/s that choose WAIT. In turn ({@link LabFaults}): a large request crosses hosts bit-exact; small requests at
 * 50/s with 0%, 1% and 5% of every node's received data frames dropped ({@link SwitchableLoss}), p50
 * and p99 of each; one expert host's link cut for 10 s while requests leave the choice to the
 * gateway (drop: OK or DEGRADED, exact without the experts named); an expert node frozen (SIGSTOP)
 * for 15 s; a link flapping (down 2 s, up 2 s, five times); split brain for 10 s, two expert nodes on
 * each side; a rolling restart of two expert nodes and both gateways, the gateways last (SIGTERM,
 * graceful stop, the same command again, converged before the next; -Dnetlab.restart=all restarts all
 * four expert nodes), in which every request must be OK. After each fault the cluster
 * converges without an operator (every member Up, the experts hosted on all four expert nodes).
 * Every request sent is counted by how it ended ({@link LabLedger}): none unanswered, none answered
 * twice, every OK bit-exact against the in-process layer, and every request of a settled phase OK.
 * Skipped where namespaces cannot be made.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class NetworkLabTest
{
    private static final int D = 16;
    private static final int EXPERTS = 16;
    private static final int EXPERT_NODES = 4;
    private static final long SEND_EVERY_MS = 50;
    /** Share of data frames each node drops on receipt; -Dnetlab.loss=0.01 (or 0, a baseline) for others. */
    private static final double LOSS = Double.parseDouble(System.getProperty("netlab.loss", "0.05"));
    private static final int REQUESTS_PER_SIZE = 8;
    private static final Convergence CONVERGENCE = new Convergence(D, EXPERTS, EXPERT_NODES, 2);
    /** The second gateway's host (host 4 is the unroutable expert node's). */
    private static final int SECOND_GATEWAY = 6;
    /** -Dnetlab.loopback=true runs the large-block test with both nodes on this host's loopback: the baseline. */
    private static final boolean LOOPBACK = Boolean.getBoolean("netlab.loopback");
    /**
     * Restarting two expert nodes shows what restarting four does (each hands over, rejoins and hosts
     * experts again) in half the suite's time; -Dnetlab.restart=all restarts every node.
     */
    private static final boolean RESTART_ALL = "all".equals(System.getProperty("netlab.restart"));

    @TempDir
    Path dir;

    private NetLab lab;
    private final Map<String, Long> laps = new java.util.LinkedHashMap<>();
    private long lapNs;
    private final List<ServeProcess> nodes = new ArrayList<>();
    /** Every node's --seed-nodes, when not the first host's alone. */
    private String seedNodes;

    @AfterEach
    void tearDown() throws Exception
    {
        final Path logs = Path.of("target", "network-lab");
        Files.createDirectories(logs);
        for (final ServeProcess node : nodes)
        {
            node.close();
            Files.writeString(logs.resolve(node.name + ".log"), node.output());
        }
        if (lab != null)
        {
            lab.close();
        }
        else
        {
            NetLab.removeAeronDirs();
        }
    }

    @Test
    void partitionAndFreezeOnARealNetworkLoseNoRequest() throws Exception
    {
        final String why = NetLab.unavailableBecause();
        assumeTrue(why == null, () -> "network lab skipped: " + why);
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, EXPERTS, Activation.RELU, true,
            new RoutingConfig(8, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 1, 17);
        lapNs = System.nanoTime();
        lab = NetLab.up(7);
        final String seed = lab.address(0) + ":2551";
        final String otherSeed = lab.address(SECOND_GATEWAY) + ":2551";
        // Both gateways are seed nodes: a restarted one joins through the other.
        seedNodes = seed + "," + otherSeed;
        final Path lossFile = Path.of(NetLab.aeronDir("loss"));
        SwitchableLoss.set(lossFile, 0);
        final List<String> loss = SwitchableLoss.jvmOptions(lossFile);
        // Requests choose WAIT but in the cut, where they leave it to the gateway: drop.
        final ServeProcess[] gateways = {node(0, "gateway", modelDir, loss, "--on-unavailable", "drop"),
            node(SECOND_GATEWAY, "gateway", modelDir, loss, "--on-unavailable", "drop")};
        final ServeProcess[] experts = {node(1, "experts", modelDir, loss), node(2, "experts", modelDir, loss),
            node(3, "experts", modelDir, loss), node(5, "experts", modelDir, loss)};
        for (final ServeProcess e : concat(gateways, experts))
        {
            e.addresses(120);
        }
        CONVERGENCE.await(seed, null, "the cluster forms", Duration.ofSeconds(90));
        lap("cluster formed");

        try (ModelDirectory model = ModelDirectory.open(modelDir);
             SwitchyardClient client = SwitchyardClient.connect(lab.address(0) + ":7400," +
                 lab.address(SECOND_GATEWAY) + ":7400"))
        {
            largeRequestCrossesHostsBitExact(model, client);
            lap("20,000 tokens");
            // Inputs 0-7 of 3 to 38 tokens for the faults, 8-11 of 4 tokens for the loss phases.
            final float[][] inputs = new float[12][];
            final float[][] expected = new float[inputs.length][];
            for (int i = 0; i < inputs.length; i++)
            {
                inputs[i] = Tokens.gaussian(i < 8 ? 3 + 5 * i : 4, D, 90 + i);
                expected[i] = LocalReferenceAccess.output(model, inputs[i], inputs[i].length / D);
            }
            final List<Sent> sent = new ArrayList<>();
            final RequestOptions options = RequestOptions.exact().withDeadline(Duration.ofSeconds(8))
                .withOnUnavailable(RequestOptions.OnUnavailable.WAIT);
            final OpenLoopLoad load = new OpenLoopLoad(client, inputs, D, SEND_EVERY_MS, options, sent);
            load.inputRange = new int[] {0, 8};
            final Thread loadThread = new Thread(load, "open-loop load");
            loadThread.start();
            final Map<String, Long> convergedMs = new TreeMap<>();
            final LabFaults faults = new LabFaults(lab, load, sent, client, seed, CONVERGENCE, convergedMs);
            final String lossFigures;
            final List<String> restarts = new ArrayList<>();
            try
            {
                faults.settled(Phase.STEADY, LabFaults.SETTLED_REQUESTS);
                lap("steady");
                lossFigures = faults.loss(lossFile, new int[] {8, 4});
                lap("loss");
                faults.cutWithDrop(1, options);
                lap("cut");
                faults.freeze(experts[1]);
                lap("freeze");
                faults.flap(3);
                lap("flapping");
                // Expert hosts 1 and 2 on one side, the gateways with 3 and 5 on the other.
                faults.splitBrain(1, 2);
                lap("split brain");
                final ServeProcess[] restartedExperts = RESTART_ALL ? experts : new ServeProcess[] {experts[0],
                    experts[3]};
                final ServeProcess[] all = concat(restartedExperts, gateways);
                faults.rollingRestart(all, node -> node.name.startsWith("host0-") ? otherSeed : seed, nodes::add,
                    restarts);
                System.arraycopy(all, restartedExperts.length, gateways, 0, gateways.length);
                lap("rolling restart");
            }
            finally
            {
                load.stop = true;
                Threads.joinOrFail(loadThread, Duration.ofSeconds(30));
            }
            System.out.println("network lab, the same 4-token requests at 50 per s: " + lossFigures);
            System.out.println("network lab, rolling restart: " + String.join("; ", restarts));
            LabLedger.account(sent, inputs, expected, model, client, convergedMs);
            unreachableDataHostIsNamed(seed, client, gateways);
            lap("unroutable data host named");
            System.out.println("network lab, each stage's time in ms: " + laps);
        }
    }

    /**
     * An expert node whose data plane is advertised at an address the gateways have no route to (on
     * its own host's loopback device, not loopback): the gateway that sends it blocks names the
     * endpoint and address in its log and in cluster status, instead of timing requests out without a
     * word.
     */
    private void unreachableDataHostIsNamed(final String seed, final SwitchyardClient client,
        final ServeProcess[] gateways) throws Exception
    {
        final String unroutable = "10.80.0.14";
        lab.onHost(4, "ip", "addr", "add", unroutable + "/32", "dev", "lo");
        node(4, "experts", "--data-host", unroutable).addresses(120);
        // Placement gives the new node experts by the work it sees: requests keep coming meanwhile.
        final float[] probe = Tokens.gaussian(64, D, 8);
        final String[] last = {""};
        Await.until(() ->
        {
            for (int i = 0; i < 10; i++)
            {
                client.infer(probe, 64, null, false, RequestOptions.exact().withDeadline(Duration.ofSeconds(1)));
            }
            last[0] = Convergence.status(seed);
            return last[0].contains(unroutable);
        }, Duration.ofSeconds(90), Duration.ofMillis(200), () -> "cluster status never named " + unroutable + ": " +
            last[0]);
        Await.until(() -> java.util.Arrays.stream(gateways).anyMatch(g -> g.output().lines()
            .anyMatch(l -> l.contains("go unanswered") && l.contains(unroutable))), Duration.ofSeconds(10),
            Duration.ofMillis(100), () -> "no gateway logged which endpoint its blocks go unanswered at");
    }

    /**
     * Blocks of 512 KiB and 2 MiB (a model of two experts, top-2, capacity the whole group: each
     * expert's block is every token of the request, [rows, 256] floats) fragment into MTU-1500 frames
     * and reassemble while every node's media driver drops 5% of the data frames it receives (Aeron's
     * own loss generator): every answer is OK and bit-exact, none is lost or given twice.
     */
    @Test
    void largeBlocksCrossMtu1500Under5PercentLoss() throws Exception
    {
        final String why = NetLab.unavailableBecause();
        assumeTrue(why == null, () -> "network lab skipped: " + why);
        final int d = 256;
        final Path modelDir = dir.resolve("wide");
        ModelGenerator.generate(modelDir, new ModelConfig(d, 32, 2, Activation.RELU, true,
            new RoutingConfig(2048, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 1, 17);
        lab = LOOPBACK ? null : NetLab.up(2);
        final List<String> loss = List.of(
            "-Daeron.ReceiveChannelEndpoint.supplier=io.aeron.driver.ext.DebugReceiveChannelEndpointSupplier",
            "-Daeron.debug.receive.data.loss.rate=" + LOSS, "-Daeron.debug.receive.data.loss.seed=7");
        final ServeProcess gateway = node(0, "gateway", modelDir, loss);
        final ServeProcess experts = node(1, "experts", modelDir, loss);
        gateway.addresses(120);
        experts.addresses(120);
        try (ModelDirectory model = ModelDirectory.open(modelDir);
             SwitchyardClient client = SwitchyardClient.connect(address(0) + ":" + (7400 + port(0))))
        {
            final Map<Integer, List<Long>> micros = new TreeMap<>();
            int sent = 0;
            int ok = 0;
            for (final int rows : new int[] {512, 2048})
            {
                for (int i = 0; i < REQUESTS_PER_SIZE; i++)
                {
                    final float[] x = Tokens.gaussian(rows, d, 100 + i);
                    final long start = System.nanoTime();
                    final InferAnswer answer = client.infer(x, rows, null, false,
                        RequestOptions.exact().withDeadline(Duration.ofSeconds(30))).get(60, TimeUnit.SECONDS);
                    sent++;
                    micros.computeIfAbsent(rows * d * Float.BYTES >> 10, k -> new ArrayList<>())
                        .add(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
                    assertEquals(AnswerStatus.OK, answer.status(), answer.detail());
                    assertArrayEquals(LocalReferenceAccess.output(model, x, rows), answer.output(),
                        rows + " rows under loss");
                    ok++;
                }
            }
            final StringBuilder line = new StringBuilder();
            micros.forEach((kib, list) ->
            {
                list.sort(null);
                line.append(String.format(" blocks of %d KiB: median %.1f ms, max %.1f ms;", kib,
                    list.get(list.size() / 2) / 1000.0, list.getLast() / 1000.0));
            });
            System.out.printf("network lab, %.0f%% receive loss on every node, %s: sent %d, OK bit-exact %d, " +
                "answered twice %d;%s%n", LOSS * 100, LOOPBACK ? "loopback" : "MTU 1500", sent, ok,
                client.unmatchedAnswers(), line);
            assertEquals(0, client.unmatchedAnswers(), "answers given twice");
            assertTrue(gateway.alive() && experts.alive(), "nodes alive");
        }
    }

    /** 20,000 tokens (1.25 MB of request, blocks far over one MTU) to experts on other hosts. */
    private static void largeRequestCrossesHostsBitExact(final ModelDirectory model, final SwitchyardClient client)
        throws Exception
    {
        final int rows = 20_000;
        final float[] x = Tokens.gaussian(rows, D, 5);
        // WAIT, as the lab's load: sharding may still be spreading the experts over the nodes by count,
        // and the gateways' own choice (drop) would answer without an expert in transit.
        final InferAnswer answer = client.infer(x, rows, null, false, RequestOptions.exact()
            .withDeadline(Duration.ofSeconds(60)).withOnUnavailable(RequestOptions.OnUnavailable.WAIT))
            .get(90, TimeUnit.SECONDS);
        assertEquals(AnswerStatus.OK, answer.status(), answer.detail());
        assertArrayEquals(LocalReferenceAccess.output(model, x, rows), answer.output(), "20,000 tokens across hosts");
    }

    private static ServeProcess[] concat(final ServeProcess[] first, final ServeProcess[] then)
    {
        final ServeProcess[] all = java.util.Arrays.copyOf(first, first.length + then.length);
        System.arraycopy(then, 0, all, first.length, then.length);
        return all;
    }

    /** Notes the time since the last lap as {@code stage}'s. */
    private void lap(final String stage)
    {
        final long now = System.nanoTime();
        laps.put(stage, TimeUnit.NANOSECONDS.toMillis(now - lapNs));
        lapNs = now;
    }

    /** A node on lab host {@code host}, addressed by its host's address alone (no --data-host). */
    private ServeProcess node(final int host, final String role, final String... more) throws Exception
    {
        return node(host, role, dir.resolve("model"), List.of(), more);
    }

    /** As {@link #node(int, String, String...)}, serving {@code model}, its JVM given {@code jvmOptions}. */
    private ServeProcess node(final int host, final String role, final Path model, final List<String> jvmOptions,
        final String... more) throws Exception
    {
        final Path conf = dir.resolve("node-" + host + ".conf");
        Files.writeString(conf, String.join("\n",
            "switchyard.data-plane.aeron-dir = \"" + NetLab.aeronDir("node-" + host) + "\"",
            "switchyard.gateway.relocate-interval = 1s",
            "switchyard.experts.keep-alive-interval = 500ms",
            // Placement sees a node that joined (or restarted) within half a second, not two.
            "switchyard.placement.publish-interval = 500ms",
            // A copy that moved (a hand-over) may move again after a window, and more move at once: a node
            // that joined (restarted, or rejoined after a cut) gets its share of the experts sooner.
            "switchyard.placement.window = 5s",
            "switchyard.placement.max-concurrent-moves = 4",
            // A move is two rounds of sharding's rebalancing (its bridge, then the copy): 1 s each, not 2.
            "pekko.cluster.sharding.rebalance-interval = 1s",
            ""));
        final List<String> args = new ArrayList<>(List.of("--role", role, "--model", model.toString(),
            "--cluster", address(host) + ":" + (2551 + port(host)), "--bind", address(host) + ":" + (7400 + port(host)),
            "--group-per-request",
            "--config", conf.toString()));
        if (seedNodes != null)
        {
            args.addAll(List.of("--seed-nodes", seedNodes));
        }
        else if (host > 0)
        {
            args.addAll(List.of("--seed-nodes", address(0) + ":" + (2551 + port(0))));
        }
        args.addAll(List.of(more));
        final ServeProcess node = ServeProcess.start("host" + host + "-" + role, lab == null ? List.of() : lab.on(host),
            jvmOptions,
            args.toArray(new String[0]));
        nodes.add(node);
        return node;
    }

    /** Lab host {@code host}'s address; without a lab, loopback. */
    private String address(final int host)
    {
        return lab == null ? "127.0.0.1" : lab.address(host);
    }

    /** Offset of the host's ports: on loopback the nodes share one address. */
    private int port(final int host)
    {
        return lab == null ? host * 10 : 0;
    }
}
