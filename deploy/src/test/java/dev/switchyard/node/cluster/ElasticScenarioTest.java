package dev.switchyard.node.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.layer.CheckpointMoeLayer;
import dev.switchyard.model.checkpoint.Checkpoint;
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
import dev.switchyard.testkit.TestData;
import dev.switchyard.testkit.Threads;
import dev.switchyard.testkit.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The elastic scenario with real {@code switchyard serve} JVMs on loopback, in the local failure
 * profile: a gateway node and two expert nodes serve a Qwen2-MoE checkpoint under steady open-loop
 * load; a third node joins; one node is killed with SIGKILL; another leaves with SIGTERM; then the
 * last expert node is killed while requests choose {@code drop}, so that the experts it hosted have
 * no live home for a while. Every request is counted by how it ended. No request goes unanswered or
 * is answered twice, every OK output equals the in-process layer bit for bit, every DEGRADED output
 * equals it computed without the experts the answer names ({@code infer --local
 * --unavailable-experts}), and the join and leave phases fail no request.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ElasticScenarioTest
{
    /**
     * The scenario serves a Hugging Face checkpoint with a shared expert (top-4 of 8 and the shared
     * one as expert 8), so that degraded answers, crash recovery and placement are proven across
     * processes for a checkpoint's family as well; the replica test serves a model of Switchyard's own.
     */
    private static final String SCENARIO_CHECKPOINT = "qwen2_moe";
    private static final int D = 16;
    private static final int G = 8;
    private static final int EXPERTS = 16;
    private static final long SEND_EVERY_MS = 40;
    /** Requests sent in a phase before the next begins: 3 s of load. */
    private static final int PER_PHASE = 75;
    /** Asking for the cluster's status costs the node a request: twice a second is often enough. */
    private static final Duration STATUS_EVERY = Duration.ofMillis(500);
    private static final Pattern SERVED_AGAIN = Pattern.compile("all (\\d+) experts of (\\S+) served again, (\\d+) ms");
    private static final Pattern FIRST_SERVED = Pattern.compile("first expert served: \\S+ ready (\\d+) ms");

    @TempDir
    Path dir;

    private final List<ServeProcess> nodes = new ArrayList<>();
    private final Map<String, Integer> metricsPorts = new java.util.LinkedHashMap<>();

    @AfterEach
    void killEveryNode() throws Exception
    {
        final Path logs = Path.of("target", "elastic-scenario");
        Files.createDirectories(logs);
        for (final ServeProcess node : nodes)
        {
            node.close();
            // Kept for reading after a failure: each node's own output, its log included.
            Files.writeString(logs.resolve(node.name + ".log"), node.output());
        }
    }

    private Path writeModel() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 32, EXPERTS, Activation.RELU, true,
            new RoutingConfig(G, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 1, 17);
        return modelDir;
    }

    /** Eight requests of 3 to 38 tokens, each [T * d]. */
    private static float[][] requests(final int d)
    {
        final float[][] inputs = new float[8][];
        for (int i = 0; i < inputs.length; i++)
        {
            inputs[i] = Tokens.gaussian(3 + 5 * i, d, 90 + i);
        }
        return inputs;
    }

    private static void copyFolder(final Path from, final Path to) throws java.io.IOException
    {
        Files.createDirectories(to);
        try (java.util.stream.Stream<Path> files = Files.list(from))
        {
            for (final Path f : (Iterable<Path>) files::iterator)
            {
                if (Files.isRegularFile(f))
                {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }

    private static float[][] localAnswers(final ModelDirectory model, final float[][] inputs) throws Exception
    {
        final float[][] expected = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++)
        {
            expected[i] = LocalReferenceAccess.output(model, inputs[i], inputs[i].length / D);
        }
        return expected;
    }

    @Test
    void joinCrashAndLeaveUnderLoadLoseNoRequest() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        copyFolder(TestData.checkpoints().resolve(SCENARIO_CHECKPOINT), modelDir);
        try (Checkpoint checkpoint = Checkpoint.open(modelDir))
        {
            final CheckpointMoeLayer layer = CheckpointMoeLayer.load(checkpoint, 0,
                ComputeBackends.vector(ComputePool.callerOnly()), null);
            final int d = layer.spec().dModel();
            final float[][] inputs = requests(d);
            final float[][] expected = new float[inputs.length][];
            for (int i = 0; i < inputs.length; i++)
            {
                expected[i] = forward(layer, inputs[i], d);
            }
            // Every served layer's experts, its shared expert counted as one more.
            final int served = checkpoint.layers().stream()
                .mapToInt(l -> l.experts() + (l.shared().present() ? 1 : 0)).sum();
            runScenario(d, served, inputs, expected,
                (x, unavailable) -> forward(layer.withUnavailable(unavailable), x, d), layer.spec().experts());
        }
    }

    /** One request's output from the in-process layer, [T * d]. */
    private static float[] forward(final CheckpointMoeLayer layer, final float[] x, final int d)
    {
        final float[] y = new float[x.length];
        layer.forward(x, x.length / d, 0, y, null, null);
        return y;
    }

    /** The output of a request computed without some experts: {@code infer --local --unavailable-experts}. */
    private interface DegradedReference
    {
        float[] output(float[] x, boolean[] unavailable);
    }

    private void runScenario(final int d, final int served, final float[][] inputs, final float[][] expected,
        final DegradedReference degraded, final int routed) throws Exception
    {

        final ServeProcess gateway = node("gateway", "all", null);
        final String[] gatewayAt = gateway.addresses(90);
        final String seed = gatewayAt[0];
        final ServeProcess expertsA = node("experts-a", "experts", seed);
        final ServeProcess expertsB = node("experts-b", "experts", seed);
        expertsA.addresses(90);
        expertsB.addresses(90);

        final List<Sent> sent = new ArrayList<>();
        try (SwitchyardClient client = SwitchyardClient.connect(gatewayAt[1]))
        {
            // Until every expert answers: a request of every input, all OK.
            final long readyBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            boolean ready = false;
            InferAnswer last = null;
            while (!ready)
            {
                assertTrue(System.nanoTime() < readyBy, "the cluster never served every input, last answer " + last +
                    "\n" + metrics());
                ready = true;
                for (final float[] x : inputs)
                {
                    final InferAnswer answer = client.infer(x, x.length / d, null, false, options())
                        .get(30, TimeUnit.SECONDS);
                    if (!answer.ok())
                    {
                        ready = false;
                        last = answer;
                    }
                }
            }

            assertStatusShows(seed, 3, served);

            final OpenLoopLoad load = new OpenLoopLoad(client, inputs, d, SEND_EVERY_MS, options(), sent);
            final Thread loadThread = new Thread(load, "open-loop load");
            loadThread.start();
            try
            {
                load.awaitSentInPhase(PER_PHASE);

                load.phase = Phase.JOIN;
                final ServeProcess joining = node("experts-c", "experts", seed);
                final long joinStart = System.nanoTime();
                final ServeProcess.Line firstServed = joining.await(l -> l.contains("first expert served"), 90,
                    "that it serves an expert");
                final Matcher fs = FIRST_SERVED.matcher(firstServed.text());
                assertTrue(fs.find(), firstServed.text());
                System.out.printf("join -> first expert served: %s ms after the JVM started its node (%d ms after " +
                    "the process started)%n", fs.group(1), TimeUnit.NANOSECONDS.toMillis(firstServed.atNs() - joinStart));
                final String joinedAt = "pekko://switchyard@" + joining.addresses(5)[0];
                gateway.await(l -> l.contains("served by " + joinedAt), 60, "that it routes to the joined node");
                load.awaitSentInPhase(load.sentInPhase() + PER_PHASE);

                load.phase = Phase.KILL;
                final long killNs = System.nanoTime();
                joining.kill();
                final ServeProcess.Line again = gateway.awaitAfter(killNs, l -> l.contains("served again"), 60,
                    "that the killed node's experts are served again");
                final Matcher sa = SERVED_AGAIN.matcher(again.text());
                assertTrue(sa.find(), again.text());
                System.out.printf("kill -> all %s experts of the killed node served again: %d ms (%s ms after it " +
                    "became unreachable)%n", sa.group(1), TimeUnit.NANOSECONDS.toMillis(again.atNs() - killNs),
                    sa.group(3));
                load.awaitSentInPhase(PER_PHASE);

                load.phase = Phase.LEAVE;
                expertsB.terminate();
                assertTrue(expertsB.awaitExit(60), "the leaving node did not exit\n" + expertsB.output());
                load.awaitSentInPhase(PER_PHASE);

                // The last expert node dies while requests would rather have an answer without its
                // experts than wait for them to be hosted again on the gateway node.
                load.dropUnavailable = true;
                load.phase = Phase.DROP;
                final long lastKillNs = System.nanoTime();
                expertsA.kill();
                gateway.awaitAfter(lastKillNs, l -> l.contains("served again"), 60,
                    "that the last expert node's experts are served again");
                load.awaitSentInPhase(load.sentInPhase() + PER_PHASE);
            }
            finally
            {
                load.stop = true;
                Threads.joinOrFail(loadThread, Duration.ofSeconds(30));
            }

            final Map<Phase, Map<AnswerStatus, Integer>> byPhase = new EnumMap<>(Phase.class);
            final Map<String, String> details = new java.util.TreeMap<>();
            int neverAnswered = 0;
            for (final Sent s : sent)
            {
                final InferAnswer answer = s.answer().get(30, TimeUnit.SECONDS);
                if (answer.status() == AnswerStatus.UNAVAILABLE && answer.detail().startsWith("no answer"))
                {
                    neverAnswered++;
                    continue;
                }
                byPhase.computeIfAbsent(s.phase(), p -> new EnumMap<>(AnswerStatus.class))
                    .merge(answer.status(), 1, Integer::sum);
                if (!answer.ok() && !answer.degraded())
                {
                    details.putIfAbsent(s.phase() + " " + answer.status(), answer.detail());
                }
                if (answer.ok())
                {
                    assertArrayEquals(expected[s.input()], answer.output(), "request of input " + s.input() +
                        " in phase " + s.phase());
                }
                if (answer.degraded())
                {
                    final float[] x = inputs[s.input()];
                    assertArrayEquals(degraded.output(x, unavailable(answer.detail(), routed)), answer.output(),
                        "degraded answer of input " + s.input() + ": " + answer.detail());
                }
            }
            System.out.printf("requests sent %d, never answered %d, answered twice %d, by phase %s; first error " +
                "of each: %s%n", sent.size(), neverAnswered, client.unmatchedAnswers(), byPhase, details);
            for (final Phase p : byPhase.keySet())
            {
                System.out.printf("latency %s: p50 %.1f ms, p99 %.1f ms%n", p, load.percentile(p, 0.50),
                    load.percentile(p, 0.99));
            }
            assertEquals(0, neverAnswered, "requests never answered\n" + outputs());
            assertEquals(0, client.unmatchedAnswers(), "answers given twice");
            assertTrue(byPhase.get(Phase.DROP).getOrDefault(AnswerStatus.DEGRADED, 0) > 0,
                "no degraded answer while experts had no home: " + byPhase.get(Phase.DROP));
            for (final Phase p : List.of(Phase.STEADY, Phase.JOIN, Phase.LEAVE))
            {
                final Map<AnswerStatus, Integer> counts = byPhase.get(p);
                assertTrue(counts != null && counts.keySet().equals(java.util.Set.of(AnswerStatus.OK)),
                    "phase " + p + " answered " + counts + "\n" + outputs());
            }
        }
    }

    /**
     * Two replicas of every expert on three nodes (the gateway node hosts experts too): a node
     * killed with SIGKILL under steady open-loop load fails no request and times none out, since
     * its replicas' rows go to the other replica of each expert at once. Prints p99 in the crash
     * window (from the kill until the killed node's copies are hosted again, then 3 s more) beside
     * steady state.
     */
    @Test
    void replicatedExpertsLoseANodeWithoutAFailedRequest() throws Exception
    {
        final Path modelDir = writeModel();
        final float[][] inputs = requests(D);
        final float[][] expected;
        try (ModelDirectory model = ModelDirectory.open(modelDir))
        {
            expected = localAnswers(model, inputs);
        }
        final String replicas = "switchyard.experts.replicas = 2";
        final ServeProcess gateway = node("gateway", "all", null, replicas);
        final String[] gatewayAt = gateway.addresses(90);
        final String seed = gatewayAt[0];
        final ServeProcess expertsA = node("experts-a", "experts", seed, replicas);
        final ServeProcess expertsB = node("experts-b", "experts", seed, replicas);
        final String killedAt = "pekko://switchyard@" + expertsA.addresses(90)[0];
        expertsB.addresses(90);
        // Every copy placed on its own node: both copies of each expert located, on distinct nodes.
        final Map<String, String> copies = new java.util.HashMap<>();
        Await.until(() -> distinctCopies(gateway.output(), copies), Duration.ofSeconds(90),
            () -> "replicas never on distinct nodes: " + copies);
        assertStatusShowsReplicas(seed);

        final List<Sent> sent = new ArrayList<>();
        try (SwitchyardClient client = SwitchyardClient.connect(gatewayAt[1]))
        {
            for (final float[] x : inputs)
            {
                final InferAnswer answer = client.infer(x, x.length / D, null, false, options()).get(30, TimeUnit.SECONDS);
                assertTrue(answer.ok(), answer.toString());
            }
            final OpenLoopLoad load = new OpenLoopLoad(client, inputs, D, SEND_EVERY_MS, options(), sent);
            final Thread loadThread = new Thread(load, "open-loop load");
            loadThread.start();
            try
            {
                load.awaitSentInPhase(PER_PHASE);
                load.phase = Phase.KILL;
                final long killNs = System.nanoTime();
                expertsA.kill();
                gateway.awaitAfter(killNs, l -> l.contains("served again") && l.contains(killedAt), 60,
                    "that the killed node's copies are hosted again");
                load.awaitSentInPhase(load.sentInPhase() + PER_PHASE);
            }
            finally
            {
                load.stop = true;
                Threads.joinOrFail(loadThread, Duration.ofSeconds(30));
            }
            final Map<Phase, Map<AnswerStatus, Integer>> byPhase = new EnumMap<>(Phase.class);
            for (final Sent s : sent)
            {
                final InferAnswer answer = s.answer().get(30, TimeUnit.SECONDS);
                byPhase.computeIfAbsent(s.phase(), p -> new EnumMap<>(AnswerStatus.class))
                    .merge(answer.status(), 1, Integer::sum);
                if (answer.ok())
                {
                    assertArrayEquals(expected[s.input()], answer.output(), "request of input " + s.input() +
                        " in phase " + s.phase());
                }
            }
            System.out.printf("2 replicas: requests sent %d, answered twice %d, by phase %s%n", sent.size(),
                client.unmatchedAnswers(), byPhase);
            System.out.printf("2 replicas: p99 steady %.1f ms, crash window %.1f ms (p50 %.1f / %.1f ms)%n",
                load.percentile(Phase.STEADY, 0.99), load.percentile(Phase.KILL, 0.99),
                load.percentile(Phase.STEADY, 0.50), load.percentile(Phase.KILL, 0.50));
            assertEquals(0, client.unmatchedAnswers(), "answers given twice");
            for (final Phase p : List.of(Phase.STEADY, Phase.KILL))
            {
                final Map<AnswerStatus, Integer> counts = byPhase.get(p);
                assertTrue(counts != null && counts.keySet().equals(java.util.Set.of(AnswerStatus.OK)),
                    "phase " + p + " answered " + counts + "\n" + outputs());
            }
        }
    }

    private static final Pattern SERVED_BY = Pattern.compile("expert (0-\\d+(?:-1)?) served by (\\S+)");

    /** Whether the gateway's log places both copies of every expert, last on distinct nodes. */
    private static boolean distinctCopies(final String log, final Map<String, String> copies)
    {
        final Matcher m = SERVED_BY.matcher(log);
        while (m.find())
        {
            copies.put(m.group(1), m.group(2));
        }
        for (int e = 0; e < EXPERTS; e++)
        {
            final String first = copies.get("0-" + e);
            final String second = copies.get("0-" + e + "-1");
            if (first == null || second == null || first.equals(second))
            {
                return false;
            }
        }
        return true;
    }

    /** {@code cluster status --json} names both copies of every expert, on distinct nodes. */
    private static void assertStatusShowsReplicas(final String node)
    {
        final String[] last = {""};
        Await.until(() -> copiesApart(json(last[0] = clusterStatus(node))), Duration.ofSeconds(30), STATUS_EVERY,
            () -> "cluster status never showed both copies of every expert apart: " + last[0]);
    }

    private static boolean copiesApart(final com.fasterxml.jackson.databind.JsonNode report)
    {
        boolean apart = true;
        for (final com.fasterxml.jackson.databind.JsonNode e : report.get("experts"))
        {
            final com.fasterxml.jackson.databind.JsonNode copies = e.get("replicas");
            apart &= copies.size() == 1 && copies.get(0).get("replica").asInt() == 1 &&
                copies.get(0).get("node").isTextual() && e.get("node").isTextual() &&
                !copies.get(0).get("node").asText().equals(e.get("node").asText());
        }
        return apart;
    }

    /** What {@code switchyard cluster status --json} prints, asked of {@code node}. */
    private static String clusterStatus(final String node)
    {
        final java.io.StringWriter out = new java.io.StringWriter();
        final picocli.CommandLine cli = dev.switchyard.cli.Main.commandLine();
        cli.setOut(new java.io.PrintWriter(out));
        assertEquals(0, cli.execute("cluster", "status", "--connect", node, "--json"), out.toString());
        return out.toString();
    }

    private static com.fasterxml.jackson.databind.JsonNode json(final String text)
    {
        try
        {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError("cluster status printed no JSON: " + text, ex);
        }
    }

    /** {@code switchyard cluster status --json}, asked of the gateway node: every member up, every expert placed. */
    private static void assertStatusShows(final String node, final int members, final int experts) throws Exception
    {
        // The gateway node serves every expert alone until the others have joined: wait for them.
        final String[] last = {""};
        Await.until(() -> allUp(json(last[0] = clusterStatus(node)), members), Duration.ofSeconds(60), STATUS_EVERY,
            () -> "not every one of " + members + " members up: " + last[0]);
        final String text = last[0];
        final com.fasterxml.jackson.databind.JsonNode report = json(text);
        assertEquals(members, report.get("members").size(), text);
        report.get("members").forEach(m -> assertEquals("Up", m.get("status").asText(), text));
        assertEquals(experts, report.get("experts").size(), text);
        report.get("experts").forEach(e -> assertTrue(e.get("node").asText().startsWith("pekko://"), text));
        assertEquals(60, report.get("loadWindowS").asInt(), text);
    }

    private static boolean allUp(final com.fasterxml.jackson.databind.JsonNode report, final int members)
    {
        boolean up = report.get("members").size() == members;
        for (final com.fasterxml.jackson.databind.JsonNode m : report.get("members"))
        {
            up &= "Up".equals(m.get("status").asText());
        }
        return up;
    }

    private static final Pattern SKIPPED = Pattern.compile("experts ([0-9,]+) of layer 0");

    /** The routed experts a degraded answer names as left out, [experts]. */
    private static boolean[] unavailable(final String detail, final int experts)
    {
        final Matcher m = SKIPPED.matcher(detail);
        assertTrue(m.find(), "a degraded answer names its experts: " + detail);
        final boolean[] unavailable = new boolean[experts];
        for (final String e : m.group(1).split(","))
        {
            unavailable[Integer.parseInt(e)] = true;
        }
        return unavailable;
    }

    private static RequestOptions options()
    {
        return RequestOptions.exact().withDeadline(Duration.ofSeconds(8));
    }

    private ServeProcess node(final String name, final String role, final String seed) throws Exception
    {
        return node(name, role, seed, "");
    }

    private ServeProcess node(final String name, final String role, final String seed, final String extraConf)
        throws Exception
    {
        final Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, String.join("\n",
            "switchyard.cluster.failure-profile = local",
            extraConf,
            "switchyard.data-plane.aeron-dir = \"" + dir.resolve("aeron-" + name).toString().replace("\\", "/") + "\"",
            "switchyard.gateway.relocate-interval = 1s",
            "switchyard.experts.keep-alive-interval = 500ms",
            ""));
        final List<String> args = new ArrayList<>(List.of("--role", role, "--model", dir.resolve("model").toString(),
            "--cluster", "127.0.0.1:0", "--bind", "127.0.0.1:0", "--group-per-request", "--config", conf.toString()));
        final int metricsPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            metricsPort = free.getLocalPort();
        }
        metricsPorts.put(name, metricsPort);
        args.add("--metrics-port");
        args.add(String.valueOf(metricsPort));
        if (seed != null)
        {
            args.add("--seed-nodes");
            args.add(seed);
        }
        final ServeProcess node = ServeProcess.start(name, args.toArray(new String[0]));
        nodes.add(node);
        return node;
    }

    /** Every live node's /metrics, for the message of a failure. */
    private String metrics()
    {
        final StringBuilder out = new StringBuilder();
        final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        metricsPorts.forEach((name, port) ->
        {
            try
            {
                final String body = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                body.lines().filter(l -> !l.startsWith("#") && !l.contains(" 0") && !l.contains("latency"))
                    .forEach(l -> out.append(name).append("| ").append(l).append('\n'));
            }
            catch (final Exception ex)
            {
                out.append(name).append("| no metrics: ").append(ex).append('\n');
            }
        });
        return out.toString();
    }

    private String outputs()
    {
        final StringBuilder out = new StringBuilder();
        nodes.forEach(n -> out.append(n.output()));
        return out.toString();
    }
}
