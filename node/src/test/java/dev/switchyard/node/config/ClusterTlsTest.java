package dev.switchyard.node.config;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.node.system.SwitchyardNode;
import dev.switchyard.testkit.Await;
import dev.switchyard.wire.BadInputException;
import org.agrona.CloseHelper;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes with the cluster's certificate form a cluster over TLS; a node whose certificate the
 * cluster does not trust cannot join it, though it trusts the cluster. The stores are made with the
 * JDK's keytool, as the README's recipe makes them.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterTlsTest
{
    private static final String PASSWORD = "cluster-secret";

    @TempDir
    Path dir;

    private void keytool(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool did not end");
        assertEquals(0, process.exitValue(), String.join(" ", args) + ": " + output);
    }

    /** A key pair in {@code name}.p12 and its certificate in {@code name}.crt. */
    private void keyPair(final String name) throws IOException, InterruptedException
    {
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
            "-dname", "CN=" + name, "-keystore", name + ".p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-alias", name, "-keystore", name + ".p12", "-storepass", PASSWORD,
            "-file", name + ".crt");
    }

    private void trust(final String store, final String certificate) throws IOException, InterruptedException
    {
        keytool("-importcert", "-noprompt", "-alias", certificate, "-file", certificate + ".crt",
            "-keystore", store, "-storetype", "PKCS12", "-storepass", PASSWORD);
    }

    private Config node(final Path model, final String role, final String seed, final String key, final String trust)
    {
        return ConfigFactory.parseString(
            "switchyard.model = \"" + model.toString().replace("\\", "/") + "\"\n" +
            "switchyard.role = " + role + "\n" +
            "switchyard.cluster.port = 0\n" +
            "switchyard.cluster.seed-nodes = [" + (seed == null ? "" : "\"" + seed + "\"") + "]\n" +
            "switchyard.cluster.tls.enabled = on\n" +
            "switchyard.cluster.tls.key-store = \"" + dir.resolve(key) + "\"\n" +
            "switchyard.cluster.tls.trust-store = \"" + dir.resolve(trust) + "\"\n" +
            "switchyard.cluster.tls.key-store-password = " + PASSWORD + "\n" +
            "switchyard.cluster.tls.trust-store-password = " + PASSWORD + "\n" +
            "switchyard.gateway.bind = \"127.0.0.1:0\"\n" +
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n");
    }

    private static int up(final SwitchyardNode node)
    {
        int up = 0;
        for (final Member m : Cluster.get(node.actorSystem()).state().getMembers())
        {
            up += m.status() == MemberStatus.up() ? 1 : 0;
        }
        return up;
    }

    private static boolean knows(final SwitchyardNode node, final SwitchyardNode other)
    {
        final var address = Cluster.get(other.actorSystem()).selfMember().address();
        for (final Member m : Cluster.get(node.actorSystem()).state().getMembers())
        {
            if (m.address().equals(address))
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void onlyNodesWithTheClustersCertificateJoin() throws Exception
    {
        keyPair("cluster");
        trust("cluster-trust.p12", "cluster");
        // The intruder trusts the cluster, but the cluster does not trust it: mutual authentication
        // is what keeps it out.
        keyPair("intruder");
        trust("intruder-trust.p12", "cluster");
        trust("intruder-trust.p12", "intruder");

        final Path model = dir.resolve("model");
        ModelGenerator.generate(model, new ModelConfig(8, 16, 4, Activation.RELU, true,
            new RoutingConfig(8, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 3L)), 1, 5);
        SwitchyardNode seed = null;
        SwitchyardNode member = null;
        SwitchyardNode intruder = null;
        try
        {
            seed = SwitchyardNode.start(node(model, "all", null, "cluster.p12", "cluster-trust.p12"));
            intruder = SwitchyardNode.start(node(model, "experts", seed.clusterAddress(), "intruder.p12",
                "intruder-trust.p12"));
            member = SwitchyardNode.start(node(model, "experts", seed.clusterAddress(), "cluster.p12",
                "cluster-trust.p12"));

            // The trusted node joins while the intruder keeps trying, so the window below covers
            // several of the intruder's join attempts (one every few seconds).
            final SwitchyardNode joined = seed;
            Await.until(() -> up(joined) >= 2, Duration.ofSeconds(60), () -> "the trusted node never joined over TLS");
            final long watchUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (System.nanoTime() < watchUntil)
            {
                assertFalse(knows(seed, intruder), "the seed admitted a node it does not trust");
                assertFalse(knows(member, intruder), "a member admitted a node it does not trust");
                assertEquals(0, up(intruder), "the intruder sees itself up in a cluster");
                Thread.sleep(100);  // the sampling interval of the watch: the window itself is the scenario
            }
            assertEquals(2, up(seed));
            // Refused, it hosts no expert: it stops at once, not when sharding's 10 s shutdown phase ends.
            final long stopping = System.nanoTime();
            intruder.close();
            final long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
            assertTrue(stopMs < 5_000, "the refused node took " + stopMs + " ms to stop");
        }
        finally
        {
            CloseHelper.quietCloseAll(intruder, member, seed);
        }
    }

    @Test
    void tlsWithoutAKeyStoreIsOneErrorNamingTheKey()
    {
        final Config config = ConfigFactory.parseString("switchyard.cluster.tls.enabled = on")
            .withFallback(ConfigFactory.defaultReference()).resolve();
        final String message = assertThrows(BadInputException.class, () -> ClusterTls.pekkoOverrides(config))
            .getMessage();
        assertEquals("switchyard.cluster.tls.key-store must name a PKCS12 or JKS file when " +
            "switchyard.cluster.tls.enabled is on", message);
    }

    @Test
    void tlsOffChangesNothing()
    {
        assertTrue(ClusterTls.pekkoOverrides(ConfigFactory.defaultReference()).isEmpty());
    }
}
