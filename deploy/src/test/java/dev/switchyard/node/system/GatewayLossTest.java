package dev.switchyard.node.system;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchyard.client.AnswerStatus;
import dev.switchyard.client.InferAnswer;
import dev.switchyard.client.RequestOptions;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.dataplane.AeronDirs;
import dev.switchyard.dataplane.DataPlane;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.Normalize;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.testkit.Await;
import dev.switchyard.testkit.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gateway process ({@code switchyard serve}) killed with SIGKILL while a client streams large
 * requests to it: the request in flight, and every one after it, ends as gateway-unavailable within
 * the client's gateway timeout, and the directory the killed driver left is reclaimed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GatewayLossTest
{
    static final int D = 32;
    static final Pattern SERVING = Pattern.compile("clients (\\S+?:\\d+)");
    /** How long after the kill the client may take: the driver's peer timeout plus the client's margin. */
    static final long ALLOWED_MS = TimeUnit.NANOSECONDS.toMillis(DataPlane.PEER_TIMEOUT_NS) +
        SwitchyardClient.DEFAULT_GATEWAY_TIMEOUT_MS;

    @TempDir
    Path dir;

    @Test
    void aKilledGatewayEndsEveryRequestAsGatewayUnavailableInTime() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 64, 4, Activation.RELU, true,
            new RoutingConfig(64, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        final Process gateway = serve(modelDir);
        try
        {
            final String address = awaitServing(gateway);
            final String driverDir = aeronDirOf(gateway.pid());
            assertNotNull(driverDir, "the gateway process maps no Aeron directory");
            try (SwitchyardClient client = SwitchyardClient.connect(address,
                Duration.ofMillis(SwitchyardClient.DEFAULT_GATEWAY_TIMEOUT_MS)))
            {
                final int rows = 10_000;
                final float[] x = Tokens.gaussian(rows, D, 5);
                // A deadline far beyond the machine's load: the request must end by the gateway's loss.
                final RequestOptions options = RequestOptions.exact().withDeadline(Duration.ofSeconds(60));
                final CountDownLatch served = new CountDownLatch(1);
                final AtomicBoolean stop = new AtomicBoolean();
                final AtomicReference<InferAnswer> last = new AtomicReference<>();
                final AtomicLong lastEndedNs = new AtomicLong();
                final CompletableFuture<Void> stream = CompletableFuture.runAsync(() ->
                {
                    // Large requests back to back: one is always in flight when the gateway dies.
                    while (!stop.get())
                    {
                        final InferAnswer a = client.infer(x, rows, null, false, options).join();
                        lastEndedNs.set(System.nanoTime());
                        last.set(a);
                        if (a.status() == AnswerStatus.OK)
                        {
                            served.countDown();
                        }
                        else
                        {
                            return;
                        }
                    }
                });
                try
                {
                    assertTrue(served.await(120, TimeUnit.SECONDS), "the gateway never answered: " + last.get());
                    final long killedNs = System.nanoTime();
                    gateway.destroyForcibly();  // SIGKILL: no goodbye of any kind
                    stream.get(60, TimeUnit.SECONDS);
                    final long tookMs = TimeUnit.NANOSECONDS.toMillis(lastEndedNs.get() - killedNs);
                    System.out.println("gateway killed: the client failed " + tookMs + " ms later with " +
                        last.get().status() + ": " + last.get().detail());
                    assertEquals(AnswerStatus.GATEWAY_UNAVAILABLE, last.get().status(), last.get().detail());
                    // Twice the configured time: a loaded machine delays the threads that notice, not the rule.
                    assertTrue(tookMs <= 2 * ALLOWED_MS, "the client took " + tookMs + " ms");
                    // Later requests fail at once.
                    final long before = System.nanoTime();
                    assertEquals(AnswerStatus.GATEWAY_UNAVAILABLE,
                        client.infer(x, 10, null, false, options).join().status());
                    assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(1));
                }
                finally
                {
                    stop.set(true);
                }
            }
            gateway.waitFor(10, TimeUnit.SECONDS);
            Await.until(() ->
            {
                AeronDirs.reclaimDead();
                return !new File(driverDir).exists();
            }, Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> "the killed driver's directory " + driverDir + " remains");
            assertFalse(new File(driverDir).exists());
        }
        finally
        {
            gateway.destroyForcibly();
            gateway.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static Process serve(final Path modelDir, final String... extraArgs) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "--add-exports",
            "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-Xmx512m"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.switchyard.cli.Main", "serve",
            "--model", modelDir.toString(), "--bind", "127.0.0.1:0", "--cluster", "127.0.0.1:0"));
        command.addAll(List.of(extraArgs));
        return new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
    }

    /** Reads the process's output until it says where clients connect; keeps draining it after. */
    static String awaitServing(final Process process) throws Exception
    {
        final CompletableFuture<String> address = new CompletableFuture<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    final Matcher m = SERVING.matcher(line);
                    if (!address.isDone() && line.startsWith("switchyard serving") && m.find())
                    {
                        address.complete(m.group(1));
                    }
                }
            }
            catch (final Exception ignored)
            {
                // The process was killed: its output ends.
            }
            address.completeExceptionally(new AssertionError("the gateway exited before serving"));
        }, "gateway-output");
        reader.setDaemon(true);
        reader.start();
        return address.get(120, TimeUnit.SECONDS);
    }

    /** The Aeron directory a process has mapped (its embedded driver's), or null. */
    static String aeronDirOf(final long pid)
    {
        final String[] dir = new String[1];
        Await.until(() -> (dir[0] = mappedAeronDir(pid)) != null, Duration.ofSeconds(10),
            () -> "process " + pid + " maps no Aeron directory");
        return dir[0];
    }

    /** The Aeron directory whose cnc.dat the process maps now, or null. */
    private static String mappedAeronDir(final long pid)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps")))
            {
                final int at = line.indexOf("/dev/shm/aeron-");
                if (at >= 0 && line.endsWith("/cnc.dat"))
                {
                    return line.substring(at, line.length() - "/cnc.dat".length());
                }
            }
            return null;
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot read the maps of process " + pid, ex);
        }
    }
}
