package dev.switchyard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.node.system.NodeSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The container image and the Kubernetes manifests in deploy/, read as Kubernetes and the nodes
 * will read them: every container's arguments (with its {@code $(VAR)} references expanded) go
 * through the real command line and the real settings reader, and the ports, Services, probes,
 * seed nodes, volumes and grace periods must agree with what those nodes open and need.
 */
class DeployManifestsTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path K8S = ROOT.resolve("deploy").resolve("k8s");
    private static final Path CONTAINER = ROOT.resolve("deploy").resolve("container");
    private static final Path DIST = ROOT.resolve("deploy").resolve("src").resolve("dist");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final Pattern UNTAR = Pattern.compile("tar -xzf deploy/target/switchyard-\\*\\.tar\\.gz -C (\\S+)");
    private static final Pattern IP_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** What the downward API would give a pod. */
    private static final String POD_IP = "10.244.1.7";
    private static final String NAMESPACE = "switchyard";

    static JsonNode kustomization;
    static List<Doc> docs;
    static List<Workload> workloads;
    static Set<String> imageNames;
    static List<Node> nodes;
    static final Map<String, Node> parsedNodes = new HashMap<>();

    record Doc(String file, JsonNode node)
    {
        String kind()
        {
            return node.path("kind").asText();
        }

        String name()
        {
            return node.path("metadata").path("name").asText();
        }

        @Override
        public String toString()
        {
            return kind() + " " + name() + " (" + file + ")";
        }
    }

    /** A StatefulSet, Deployment or Job and its pod template. */
    record Workload(Doc doc, JsonNode podSpec, JsonNode podLabels, int replicas, String serviceName)
    {
        String podName(final int ordinal)
        {
            return switch (doc.kind())
            {
                case "StatefulSet" -> doc.name() + "-" + ordinal;
                case "Deployment" -> doc.name() + "-7d9c5b6f4-x" + ordinal;
                default -> doc.name() + "-q" + ordinal;
            };
        }

        List<JsonNode> containers()
        {
            return list(podSpec.path("containers"));
        }

        List<JsonNode> initContainers()
        {
            return list(podSpec.path("initContainers"));
        }

        String component()
        {
            return podLabels.path("app.kubernetes.io/component").asText();
        }

        @Override
        public String toString()
        {
            return doc.toString();
        }
    }

    /** A {@code switchyard serve} container as one pod of its workload runs it. */
    record Node(Workload workload, JsonNode container, String podName, NodeSettings settings, Config config)
    {
        @Override
        public String toString()
        {
            return "container " + container.path("name").asText() + " of pod " + podName + " of " + workload;
        }
    }

    @BeforeAll
    static void load() throws IOException
    {
        final YAMLMapper yaml = new YAMLMapper();
        kustomization = yaml.readTree(K8S.resolve("kustomization.yaml").toFile());
        docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList())
            {
                if (file.getFileName().toString().equals("kustomization.yaml"))
                {
                    continue;
                }
                try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(file.toFile()))
                {
                    while (it.hasNext())
                    {
                        final JsonNode node = it.next();
                        if (node != null && !node.isMissingNode() && !node.isNull())
                        {
                            docs.add(new Doc(file.getFileName().toString(), node));
                        }
                    }
                }
            }
        }
        workloads = new ArrayList<>();
        for (final Doc d : docs)
        {
            final JsonNode spec = d.node().path("spec");
            switch (d.kind())
            {
                case "StatefulSet", "Deployment" -> workloads.add(new Workload(d, spec.path("template").path("spec"),
                    spec.path("template").path("metadata").path("labels"), spec.path("replicas").asInt(1),
                    spec.path("serviceName").asText(null)));
                case "Job" -> workloads.add(new Workload(d, spec.path("template").path("spec"),
                    spec.path("template").path("metadata").path("labels"), 1, null));
                default ->
                {
                }
            }
        }
        imageNames = new HashSet<>();
        for (final JsonNode image : list(kustomization.path("images")))
        {
            imageNames.add(image.path("name").asText());
        }
    }

    @Test
    void kustomizationListsEveryManifestAndEachIsWellFormed() throws IOException
    {
        final Set<String> files = new TreeSet<>();
        try (Stream<Path> all = Files.list(K8S))
        {
            all.map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                .forEach(files::add);
        }
        final Set<String> resources = new TreeSet<>();
        list(kustomization.path("resources")).forEach(r -> resources.add(r.asText()));
        assertEquals(files, resources, "kustomization.yaml resources against the YAML files in deploy/k8s");

        final Set<String> seen = new HashSet<>();
        for (final Doc d : docs)
        {
            assertFalse(d.node().path("apiVersion").asText().isEmpty(), d + ": apiVersion");
            assertFalse(d.kind().isEmpty(), d + ": kind");
            assertFalse(d.name().isEmpty(), d + ": metadata.name");
            assertTrue(seen.add(d.kind() + "/" + d.name()), d + " is defined twice");
        }
        assertFalse(workloads.isEmpty(), "no workload in deploy/k8s");
        for (final Workload w : workloads)
        {
            if (!w.doc().kind().equals("Job"))
            {
                assertTrue(matches(w.doc().node().path("spec").path("selector").path("matchLabels"), w.podLabels()),
                    w + ": its selector does not match its pod labels");
            }
        }
        for (final Doc budget : docs(d -> d.kind().equals("PodDisruptionBudget")))
        {
            final JsonNode selector = budget.node().path("spec").path("selector").path("matchLabels");
            assertTrue(workloads.stream().anyMatch(w -> matches(selector, w.podLabels())), budget + " selects no pod");
        }
    }

    @Test
    void everyNodeParsesWithTheCliAndItsSettingsWithTheNodeReader()
    {
        final Set<String> roles = new TreeSet<>();
        for (final Node n : nodes())
        {
            final String role = n.settings().role();
            assertTrue(role.equals("gateway") || role.equals("experts"),
                n + ": a multi-node deployment runs gateway or experts nodes, not " + role);
            assertEquals(n.workload().component(), role, n + ": its component label names its role");
            roles.add(role);
        }
        assertEquals(Set.of("experts", "gateway"), roles, "nodes of both roles");
        assertFalse(modelInits().isEmpty(), "the demo model Job runs switchyard model init");
    }

    @Test
    void everyPortANodeOpensIsDeclaredAndNoOther()
    {
        for (final Node n : nodes())
        {
            final Set<String> opens = new TreeSet<>(nodePorts(n).values());
            final Set<String> declared = new TreeSet<>();
            for (final JsonNode p : list(n.container().path("ports")))
            {
                declared.add(p.path("containerPort").asInt() + "/" + p.path("protocol").asText("TCP"));
            }
            assertEquals(opens, declared, n + ": containerPorts against the ports the node opens");
        }
    }

    @Test
    void servicesReachThePortsTheyAreMeantFor()
    {
        for (final Doc service : docs(d -> d.kind().equals("Service")))
        {
            final List<Workload> selected = selectedBy(service);
            assertFalse(selected.isEmpty(), service + " selects no pod");
            for (final JsonNode port : list(service.node().path("spec").path("ports")))
            {
                final String protocol = port.path("protocol").asText("TCP");
                final JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
                for (final Workload w : selected)
                {
                    assertTrue(w.containers().stream().anyMatch(c -> resolvePort(c, target, protocol) > 0),
                        service + ": port " + port.path("name").asText() + " (" + target.asText() + "/" + protocol +
                            ") is not a declared port of " + w);
                }
            }
        }
        for (final Node n : nodes())
        {
            final NodeSettings s = n.settings();
            assertTrue(reaches(n, s.http().port(), "TCP", service -> true),
                n + ": no Service reaches its metrics port " + s.http().port());
            if (s.runsGateway())
            {
                assertTrue(reaches(n, s.gateway().clientPort(), "UDP", service -> !headless(service)),
                    n + ": no Service with a cluster address reaches its client port " + s.gateway().clientPort());
            }
            if (n.workload().serviceName() != null)
            {
                final Doc governing = service(n.workload().serviceName());
                assertTrue(reaches(n, s.clusterPort(), "TCP", governing::equals),
                    n + ": its governing Service does not list its remoting port " + s.clusterPort());
            }
        }
    }

    @Test
    void probesAndScrapeAnnotationsHitTheMetricsPort()
    {
        for (final Node n : nodes())
        {
            final int metrics = n.settings().http().port();
            assertTrue(metrics > 0, n + ": serves no /health or /ready for its probes (--http-port)");
            for (final String kind : List.of("startupProbe", "readinessProbe", "livenessProbe"))
            {
                final JsonNode probe = n.container().path(kind);
                if (probe.isMissingNode())
                {
                    assertFalse(kind.equals("readinessProbe") || kind.equals("livenessProbe"), n + " has no " + kind);
                    continue;
                }
                final JsonNode get = probe.path("httpGet");
                assertFalse(get.isMissingNode(), n + ": " + kind + " is not an HTTP GET");
                assertEquals(metrics, resolvePort(n.container(), get.path("port"), "TCP"),
                    n + ": " + kind + " does not hit the metrics port");
                final String path = get.path("path").asText();
                assertTrue(path.equals("/health") || path.equals("/ready") || path.equals("/metrics"),
                    n + ": " + kind + " asks for " + path);
            }
            assertEquals("/ready", n.container().path("readinessProbe").path("httpGet").path("path").asText(),
                n + ": readiness is /ready");
            assertEquals("/health", n.container().path("livenessProbe").path("httpGet").path("path").asText(),
                n + ": liveness is /health");
            final JsonNode annotations = n.workload().doc().node().path("spec").path("template")
                .path("metadata").path("annotations");
            if (annotations.has("prometheus.io/port"))
            {
                assertEquals(String.valueOf(metrics), annotations.path("prometheus.io/port").asText(),
                    n + ": prometheus.io/port");
            }
        }
    }

    @Test
    void nodesAdvertiseTheirPodAddressAndBindWhereTheyAreReached()
    {
        for (final Node n : nodes())
        {
            final NodeSettings s = n.settings();
            assertEquals(POD_IP, s.dataPlane().host(), n + ": Aeron endpoints at the pod IP (--data-host $(POD_IP))");
            if (s.runsGateway())
            {
                assertEquals(POD_IP, s.bindHost(), n + ": clients reach the pod IP (--bind $(POD_IP):PORT)");
            }
            final String stableName = n.workload().serviceName() == null ? null :
                n.podName() + "." + n.workload().serviceName();
            assertTrue(s.clusterHost().equals(POD_IP) || s.clusterHost().equals(stableName),
                n + ": advertises " + s.clusterHost() + ", neither its pod IP nor its stable name");
            if (!IP_LITERAL.matcher(s.clusterHost()).matches())
            {
                assertFalse(n.config().getString("pekko.remote.artery.bind.hostname").isEmpty(),
                    n + ": advertises the name " + s.clusterHost() +
                        " and would bind to it before it resolves: set pekko.remote.artery.bind.hostname");
            }
            assertTrue(s.http().host().equals("0.0.0.0") || s.http().host().equals(POD_IP),
                n + ": /metrics and /health on " + s.http().host() + " cannot be probed");
        }
    }

    @Test
    void seedNodesAreTheStableNamesTheirPodsGiveThemselves()
    {
        final Set<List<String>> seedLists = new HashSet<>();
        final Set<String> systems = new HashSet<>();
        for (final Node n : nodes())
        {
            final List<String> seeds = n.settings().seedNodes();
            seedLists.add(seeds);
            systems.add(n.settings().systemName());
            assertTrue(seeds.size() >= 2, n + ": with one seed, a restarted seed founds a second cluster");
            for (final String seed : seeds)
            {
                final Node seedNode = seedPod(seed);
                assertNotNull(seedNode, n + ": seed " + seed + " is not <pod>.<service> of a StatefulSet pod");
                assertEquals(seed, seedNode.settings().clusterHost() + ":" + seedNode.settings().clusterPort(),
                    n + ": seed " + seed + " is not the address that pod gives itself");
                final Doc governing = service(seedNode.workload().serviceName());
                assertTrue(headless(governing), governing + " must be headless to name the pods");
                assertTrue(governing.node().path("spec").path("publishNotReadyAddresses").asBoolean(),
                    governing + ": seeds must resolve before they are ready (publishNotReadyAddresses)");
            }
        }
        assertEquals(1, seedLists.size(), "every node joins through the same seed nodes");
        assertEquals(1, systems.size(), "every node uses the same actor system name");
    }

    @Test
    void nodesReadTheModelFromTheVolumeTheJobWrites()
    {
        final Set<Path> models = new HashSet<>();
        for (final Node n : nodes())
        {
            final Path model = n.settings().model();
            models.add(model);
            final JsonNode mount = mountFor(n.container(), model.toString());
            assertNotNull(mount, n + ": the model " + model + " is on no volume");
            assertTrue(mount.path("readOnly").asBoolean(), n + ": the model volume is mounted read-only");
            final String claim = claimOf(n.workload(), mount);
            assertNotNull(claim, n + ": the model is not on a PersistentVolumeClaim");
            assertFalse(docs(d -> d.kind().equals("PersistentVolumeClaim") && d.name().equals(claim)).isEmpty(),
                n + ": no PersistentVolumeClaim " + claim);

            final String awaited = model.resolve(ModelDirectory.CONFIG_FILE).toString();
            assertTrue(n.workload().initContainers().stream().anyMatch(c ->
                    commandLine(c).contains(awaited) && mountFor(c, awaited) != null &&
                    claim.equals(claimOf(n.workload(), mountFor(c, awaited)))),
                n + ": no init container waits for " + awaited + " on the model volume");
        }
        assertEquals(1, models.size(), "every node serves the same model");
        final Path served = models.iterator().next();

        for (final Map.Entry<Workload, JsonNode> job : modelInits().entrySet())
        {
            final String pod = job.getKey().podName(0);
            final ModelInitCommand init = (ModelInitCommand)leaf(job.getKey(), job.getValue(), pod);
            assertEquals(served, init.out, job.getKey() + " writes another model than the nodes serve");
            final JsonNode mount = mountFor(job.getValue(), init.out.toString());
            assertNotNull(mount, job.getKey() + ": --out is on no volume");
            assertFalse(mount.path("readOnly").asBoolean(), job.getKey() + ": writes on a read-only mount");
            final String nodeClaim = claimOf(nodes().get(0).workload(), mountFor(nodes().get(0).container(),
                served.toString()));
            assertEquals(nodeClaim, claimOf(job.getKey(), mount), job.getKey() + " writes to another volume");
        }
    }

    @Test
    void aeronGetsAMemoryBackedDevShm()
    {
        for (final Node n : nodes())
        {
            final JsonNode mount = list(n.container().path("volumeMounts")).stream()
                .filter(m -> m.path("mountPath").asText().equals("/dev/shm")).findFirst().orElse(null);
            assertNotNull(mount, n + ": nothing mounted at /dev/shm (Aeron's directory)");
            final JsonNode emptyDir = volume(n.workload(), mount.path("name").asText()).path("emptyDir");
            assertEquals("Memory", emptyDir.path("medium").asText(), n + ": /dev/shm is an emptyDir in memory");
            assertFalse(emptyDir.path("sizeLimit").asText().isEmpty(), n + ": /dev/shm has a size limit");
            // A random directory per start (the default) would leave a crashed container's log
            // buffers in the volume, which outlives the container, until the pod goes.
            final String dir = n.config().getString("switchyard.data-plane.aeron-dir");
            assertTrue(dir.startsWith("/dev/shm/"), n + ": Aeron's directory is a fixed one on /dev/shm, not '" +
                dir + "'");
        }
    }

    @Test
    void terminationGraceCoversAGracefulLeave()
    {
        for (final Node n : nodes())
        {
            // Pekko's coordinated shutdown (leave, hand experts off, terminate) runs its phases one
            // after another; their timeouts bound it.
            final Config shutdown = n.config().getConfig("pekko.coordinated-shutdown");
            final long defaultTimeout = shutdown.getDuration("default-phase-timeout").toSeconds();
            long total = 0;
            for (final String phase : shutdown.getConfig("phases").root().keySet())
            {
                final String key = "phases.\"" + phase + "\".timeout";
                total += shutdown.hasPath(key) ? shutdown.getDuration(key).toSeconds() : defaultTimeout;
            }
            final int grace = n.workload().podSpec().path("terminationGracePeriodSeconds").asInt(30);
            assertTrue(grace > total, n + ": terminationGracePeriodSeconds " + grace +
                " does not cover the coordinated shutdown's " + total + " s");
        }
    }

    @Test
    void theSharedConfigurationSetsOnlyKeysThatExist()
    {
        final Config reference = ConfigFactory.parseResources(DeployManifestsTest.class.getClassLoader(),
            "switchyard-pekko.conf").withFallback(ConfigFactory.defaultReference());
        final List<JsonNode> generators = list(kustomization.path("configMapGenerator"));
        assertFalse(generators.isEmpty(), "no configMapGenerator");
        for (final JsonNode generator : generators)
        {
            for (final JsonNode file : list(generator.path("files")))
            {
                final String spec = file.asText();
                final Path path = K8S.resolve(spec.substring(spec.indexOf('=') + 1));
                final Config parsed = ConfigFactory.parseFile(path.toFile());
                assertFalse(parsed.isEmpty(), path + " is empty");
                parsed.entrySet().forEach(e -> assertTrue(reference.hasPathOrNull(e.getKey()),
                    path + ": " + e.getKey() + " is no Switchyard or Pekko setting"));
            }
        }
    }

    @Test
    void everyEnvironmentReferenceIsDefined()
    {
        // Kubernetes leaves an undefined $(VAR) in the arguments as it is.
        for (final Workload w : workloads)
        {
            for (final JsonNode c : concat(w.initContainers(), w.containers()))
            {
                final Set<String> defined = new HashSet<>();
                list(c.path("env")).forEach(e -> defined.add(e.path("name").asText()));
                final Matcher m = ENV_REF.matcher(commandLine(c));
                while (m.find())
                {
                    assertTrue(defined.contains(m.group(1)),
                        w + ": container " + c.path("name").asText() + " uses $(" + m.group(1) + ") but defines no " +
                            m.group(1));
                }
            }
        }
    }

    @Test
    void everyContainerRunsTheImageKustomizeSets()
    {
        assertFalse(imageNames.isEmpty(), "kustomization.yaml sets no image");
        for (final Workload w : workloads)
        {
            for (final JsonNode c : concat(w.initContainers(), w.containers()))
            {
                final String image = c.path("image").asText();
                assertTrue(imageNames.contains(repository(image)),
                    w + ": container " + c.path("name").asText() + " runs " + image + ", which no images entry sets");
            }
        }
    }

    @Test
    void theImageEntrypointIsTheDistributionLauncherOnAJdk25() throws IOException
    {
        final List<String> lines = dockerfileInstructions(CONTAINER.resolve("Dockerfile"));
        final Map<String, String> args = new HashMap<>();
        final List<String> from = new ArrayList<>();
        String entrypoint = null;
        final Map<String, String> copies = new LinkedHashMap<>();
        String tarballTarget = null;
        for (final String line : lines)
        {
            final String[] words = line.split("\\s+");
            final Matcher untar = UNTAR.matcher(line);
            if (words[0].equalsIgnoreCase("RUN") && untar.find())
            {
                tarballTarget = untar.group(1);
            }
            switch (words[0].toUpperCase())
            {
                case "ARG" ->
                {
                    final String[] kv = words[1].split("=", 2);
                    if (from.isEmpty() && kv.length == 2)
                    {
                        args.put(kv[0], kv[1]);
                    }
                }
                case "FROM" -> from.add(expand(words[1], args));
                case "COPY" ->
                {
                    if (words[1].startsWith("--from="))
                    {
                        copies.put(words[words.length - 1], words[words.length - 2]);
                    }
                }
                case "ENTRYPOINT" -> entrypoint = new ObjectMapper().readTree(line.substring(10).strip()).path(0).asText();
                default ->
                {
                }
            }
        }
        assertEquals(2, from.size(), "a build stage and a runtime stage");
        assertTrue(jdkMajor(from.get(0)) >= 25, "builds on a JDK 25 or newer: " + from.get(0));
        assertTrue(from.get(1).contains("-jdk") && jdkMajor(from.get(1)) >= 25,
            "runs on a full JDK 25 or newer (jdk.incubator.vector): " + from.get(1));
        assertNotNull(entrypoint, "no ENTRYPOINT");
        String inDistribution = null;
        for (final Map.Entry<String, String> copy : copies.entrySet())
        {
            if (entrypoint.startsWith(copy.getKey() + "/") && copy.getValue().equals(tarballTarget))
            {
                inDistribution = entrypoint.substring(copy.getKey().length() + 1);
            }
        }
        assertNotNull(tarballTarget, "the build stage does not unpack deploy/target/switchyard-*.tar.gz");
        assertNotNull(inDistribution, "ENTRYPOINT " + entrypoint + " is not in the unpacked release tarball");
        final Path launcher = DIST.resolve(inDistribution);
        assertTrue(Files.isRegularFile(launcher) && Files.isExecutable(launcher),
            "ENTRYPOINT " + entrypoint + " is " + launcher + ", which the distribution does not hold as an executable");

        final List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore"));
        assertTrue(ignored.stream().anyMatch(l -> l.strip().equals("**/target")),
            ".dockerignore keeps local build outputs out of the image build");
    }

    // ---- the manifests as Kubernetes reads them

    /** The serve containers, each as the first pod of its workload runs it (parsed once). */
    static List<Node> nodes()
    {
        if (nodes == null)
        {
            final List<Node> all = new ArrayList<>();
            for (final Workload w : workloads)
            {
                for (final JsonNode c : w.containers())
                {
                    if (runsCli(c) && !w.doc().kind().equals("Job"))
                    {
                        all.add(node(w, c, w.podName(0)));
                    }
                }
            }
            assertFalse(all.isEmpty(), "no switchyard serve container");
            nodes = all;
        }
        return nodes;
    }

    static Map<Workload, JsonNode> modelInits()
    {
        final Map<Workload, JsonNode> inits = new LinkedHashMap<>();
        for (final Workload w : workloads)
        {
            for (final JsonNode c : w.containers())
            {
                if (runsCli(c) && w.doc().kind().equals("Job"))
                {
                    final Object command = leaf(w, c, w.podName(0));
                    assertTrue(command instanceof ModelInitCommand, w + " runs something else than model init");
                    inits.put(w, c);
                }
            }
        }
        return inits;
    }

    /** Containers that run the image's entrypoint, the switchyard launcher, with their args. */
    static boolean runsCli(final JsonNode container)
    {
        return imageNames.contains(repository(container.path("image").asText())) && !container.has("command");
    }

    static Node node(final Workload w, final JsonNode container, final String podName)
    {
        final String key = w.doc().name() + "/" + container.path("name").asText() + "/" + podName;
        final Node known = parsedNodes.get(key);
        if (known != null)
        {
            return known;
        }
        final Object command = leaf(w, container, podName);
        assertTrue(command instanceof ServeCommand, w + ": " + container.path("name").asText() + " does not serve");
        final Config flags = ((ServeCommand)command).configuration();
        // Completed as SwitchyardNode.start completes it.
        final Config full = flags
            .withFallback(ConfigFactory.parseResources(DeployManifestsTest.class.getClassLoader(), "switchyard-pekko.conf"))
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
        final Node node = new Node(w, container, podName, NodeSettings.from(full), full);
        parsedNodes.put(key, node);
        return node;
    }

    /** Parses the container's arguments with the real command line; returns the command object. */
    static Object leaf(final Workload w, final JsonNode container, final String podName)
    {
        final List<String> args = cliArgs(w, container, podName);
        try
        {
            CommandLine.ParseResult result = Main.commandLine().parseArgs(args.toArray(String[]::new));
            while (result.subcommand() != null)
            {
                result = result.subcommand();
            }
            return result.commandSpec().userObject();
        }
        catch (final CommandLine.ParameterException ex)
        {
            return fail(w + ": container " + container.path("name").asText() + ": " + ex.getMessage() + " in " + args);
        }
    }

    /** The container's args with $(VAR) expanded and --config pointing at the file its ConfigMap holds. */
    static List<String> cliArgs(final Workload w, final JsonNode container, final String podName)
    {
        final Map<String, String> env = sampleEnv(w, container, podName);
        final List<String> args = new ArrayList<>();
        for (final JsonNode a : list(container.path("args")))
        {
            final Matcher m = ENV_REF.matcher(a.asText());
            final StringBuilder out = new StringBuilder();
            while (m.find())
            {
                final String value = env.get(m.group(1));
                assertNotNull(value, w + ": $(" + m.group(1) + ") is not defined");
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            args.add(out.toString());
        }
        for (int i = 0; i < args.size(); i++)
        {
            if (args.get(i).equals("--config") && i + 1 < args.size())
            {
                args.set(i + 1, configFile(w, container, args.get(i + 1)).toString());
            }
            else if (args.get(i).startsWith("--config="))
            {
                args.set(i, "--config=" + configFile(w, container, args.get(i).substring(9)));
            }
        }
        return args;
    }

    static Map<String, String> sampleEnv(final Workload w, final JsonNode container, final String podName)
    {
        final Map<String, String> env = new HashMap<>();
        for (final JsonNode e : list(container.path("env")))
        {
            final String name = e.path("name").asText();
            if (e.has("value"))
            {
                env.put(name, e.path("value").asText());
                continue;
            }
            final String field = e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
            env.put(name, switch (field)
            {
                case "status.podIP" -> POD_IP;
                case "metadata.name" -> podName;
                case "metadata.namespace" -> NAMESPACE;
                default -> fail(w + ": env " + name + " from " + e.path("valueFrom") + " has no sample value here");
            });
        }
        return env;
    }

    /** The local file behind a path in the container: a ConfigMap key on a mounted volume. */
    static Path configFile(final Workload w, final JsonNode container, final String path)
    {
        final JsonNode mount = mountFor(container, path);
        assertNotNull(mount, w + ": --config " + path + " is on no volume");
        final String configMap = volume(w, mount.path("name").asText()).path("configMap").path("name").asText();
        assertFalse(configMap.isEmpty(), w + ": --config " + path + " is not on a ConfigMap volume");
        final String key = path.substring(mount.path("mountPath").asText().length()).replaceFirst("^/", "");
        for (final JsonNode generator : list(kustomization.path("configMapGenerator")))
        {
            if (generator.path("name").asText().equals(configMap))
            {
                for (final JsonNode file : list(generator.path("files")))
                {
                    final String spec = file.asText();
                    final int eq = spec.indexOf('=');
                    final String fileKey = eq > 0 ? spec.substring(0, eq) : Path.of(spec).getFileName().toString();
                    if (fileKey.equals(key))
                    {
                        return K8S.resolve(spec.substring(eq + 1));
                    }
                }
            }
        }
        return fail(w + ": ConfigMap " + configMap + " has no key " + key + " (--config " + path + ")");
    }

    /** The volume mount holding {@code path}: the longest mount path above it. */
    static JsonNode mountFor(final JsonNode container, final String path)
    {
        JsonNode best = null;
        for (final JsonNode m : list(container.path("volumeMounts")))
        {
            final String at = m.path("mountPath").asText();
            if ((path.equals(at) || path.startsWith(at.endsWith("/") ? at : at + "/")) &&
                (best == null || at.length() > best.path("mountPath").asText().length()))
            {
                best = m;
            }
        }
        return best;
    }

    static JsonNode volume(final Workload w, final String name)
    {
        return list(w.podSpec().path("volumes")).stream().filter(v -> v.path("name").asText().equals(name))
            .findFirst().orElseGet(() -> fail(w + ": no volume " + name));
    }

    static String claimOf(final Workload w, final JsonNode mount)
    {
        final JsonNode claim = volume(w, mount.path("name").asText()).path("persistentVolumeClaim").path("claimName");
        return claim.isMissingNode() ? null : claim.asText();
    }

    /** Port name/number → number, for a port the container declares with this protocol; 0 if none. */
    static int resolvePort(final JsonNode container, final JsonNode ref, final String protocol)
    {
        for (final JsonNode p : list(container.path("ports")))
        {
            final boolean match = ref.isInt() ? p.path("containerPort").asInt() == ref.asInt() :
                p.path("name").asText().equals(ref.asText());
            if (match && p.path("protocol").asText("TCP").equals(protocol))
            {
                return p.path("containerPort").asInt();
            }
        }
        return 0;
    }

    /** What the node will open, by its own settings: name → port/protocol. */
    static Map<String, String> nodePorts(final Node n)
    {
        final NodeSettings s = n.settings();
        final Map<String, String> ports = new LinkedHashMap<>();
        ports.put("remoting", s.clusterPort() + "/TCP");
        if (s.http().port() > 0)
        {
            ports.put("metrics", s.http().port() + "/TCP");
        }
        if (s.runsGateway())
        {
            ports.put("clients", s.gateway().clientPort() + "/UDP");
            if (s.dataPlane().gatewayPort() > 0)
            {
                ports.put("gateway-data", s.dataPlane().gatewayPort() + "/UDP");
            }
        }
        if (s.runsExperts() && s.dataPlane().expertPort() > 0)
        {
            ports.put("expert-data", s.dataPlane().expertPort() + "/UDP");
        }
        return ports;
    }

    static boolean reaches(final Node n, final int port, final String protocol, final Predicate<Doc> which)
    {
        for (final Doc service : docs(d -> d.kind().equals("Service")))
        {
            if (!which.test(service) || !selectedBy(service).contains(n.workload()))
            {
                continue;
            }
            for (final JsonNode p : list(service.node().path("spec").path("ports")))
            {
                final JsonNode target = p.has("targetPort") ? p.path("targetPort") : p.path("port");
                if (p.path("protocol").asText("TCP").equals(protocol) &&
                    resolvePort(n.container(), target, protocol) == port)
                {
                    return true;
                }
            }
        }
        return false;
    }

    static List<Workload> selectedBy(final Doc service)
    {
        final JsonNode selector = service.node().path("spec").path("selector");
        final List<Workload> selected = new ArrayList<>();
        for (final Workload w : workloads)
        {
            if (matches(selector, w.podLabels()))
            {
                selected.add(w);
            }
        }
        return selected;
    }

    /** An equality selector against labels; an empty selector matches nothing here. */
    static boolean matches(final JsonNode selector, final JsonNode labels)
    {
        if (selector.isEmpty())
        {
            return false;
        }
        for (final Map.Entry<String, JsonNode> e : selector.properties())
        {
            if (!labels.path(e.getKey()).isTextual() || !labels.path(e.getKey()).asText().equals(e.getValue().asText()))
            {
                return false;
            }
        }
        return true;
    }

    static boolean headless(final Doc service)
    {
        return service.node().path("spec").path("clusterIP").asText().equals("None");
    }

    static Doc service(final String name)
    {
        return docs(d -> d.kind().equals("Service") && d.name().equals(name)).stream().findFirst()
            .orElseGet(() -> fail("no Service " + name));
    }

    /** The StatefulSet pod a seed HOST:PORT names as {@code <set>-<ordinal>.<service>}, as that pod runs. */
    static Node seedPod(final String seed)
    {
        final String host = seed.substring(0, seed.lastIndexOf(':'));
        for (final Workload w : workloads)
        {
            if (w.serviceName() == null)
            {
                continue;
            }
            for (int i = 0; i < w.replicas(); i++)
            {
                if (host.equals(w.podName(i) + "." + w.serviceName()))
                {
                    return node(w, w.containers().stream().filter(DeployManifestsTest::runsCli).findFirst()
                        .orElseGet(() -> fail(w + " runs no node")), w.podName(i));
                }
            }
        }
        return null;
    }

    static List<Doc> docs(final Predicate<Doc> which)
    {
        return docs.stream().filter(which).toList();
    }

    static String commandLine(final JsonNode container)
    {
        final List<String> words = new ArrayList<>();
        list(container.path("command")).forEach(w -> words.add(w.asText()));
        list(container.path("args")).forEach(w -> words.add(w.asText()));
        return String.join(" ", words);
    }

    static String repository(final String image)
    {
        final String noDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        final int colon = noDigest.lastIndexOf(':');
        return colon > noDigest.lastIndexOf('/') ? noDigest.substring(0, colon) : noDigest;
    }

    static List<JsonNode> list(final JsonNode array)
    {
        final List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    static List<JsonNode> concat(final List<JsonNode> a, final List<JsonNode> b)
    {
        final List<JsonNode> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    // ---- the Dockerfile

    /** Instructions, continuation lines joined, comments and parser directives dropped. */
    static List<String> dockerfileInstructions(final Path dockerfile) throws IOException
    {
        final List<String> out = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        for (final String raw : Files.readAllLines(dockerfile))
        {
            final String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty()))
            {
                continue;
            }
            if (line.endsWith("\\"))
            {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            out.add(current.toString().strip());
            current.setLength(0);
        }
        return out;
    }

    static String expand(final String text, final Map<String, String> args)
    {
        final Matcher m = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(text);
        final StringBuilder out = new StringBuilder();
        while (m.find())
        {
            m.appendReplacement(out, Matcher.quoteReplacement(args.getOrDefault(m.group(1), "")));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The Java major version an image tag names (temurin-25, :25-jdk...), 0 if none. */
    static int jdkMajor(final String image)
    {
        final Matcher m = Pattern.compile("(?:temurin-|:)(\\d+)(?:[-.]|$)").matcher(image);
        int major = 0;
        while (m.find())
        {
            major = Integer.parseInt(m.group(1));
        }
        return major;
    }
}
