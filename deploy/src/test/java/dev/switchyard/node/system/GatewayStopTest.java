package dev.switchyard.node.system;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.testkit.Await;
import dev.switchyard.testkit.Tokens;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway process stopped with SIGSTOP while a large request is in flight. Its media driver runs
 * in a process of its own and keeps answering for it at the Aeron level (connections stay up), so
 * only the gateway's missing heartbeats tell the client: the request ends as gateway-unavailable,
 * naming that the gateway stopped serving, well before the driver would time the stopped gateway
 * out.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GatewayStopTest
{
    static final int D = 32;
    /** The client's gateway timeout; nothing heard for the peer timeout plus this is a lost gateway. */
    static final long GATEWAY_TIMEOUT_MS = 1_000;

    @TempDir
    Path dir;

    @Test
    void aStoppedGatewayBehindALiveDriverEndsTheRequestAsGatewayUnavailable() throws Exception
    {
        final Path modelDir = dir.resolve("model");
        ModelGenerator.generate(modelDir, new ModelConfig(D, 64, 4, Activation.RELU, true,
            new RoutingConfig(64, 2.0, 2, SecondPolicy.ALL, 0.2, Normalize.BEFORE_CAPACITY, false, 7L)), 1, 42);
        final String aeronDir = "/dev/shm/switchyard-stop-test-" + UUID.randomUUID();
        final Path config = dir.resolve("node.conf");
        Files.writeString(config, "switchyard.data-plane { driver = external, aeron-dir = \"" + aeronDir + "\" }\n");
        final Process driver = startDriver(aeronDir);
        Process gateway = null;
        try
        {
            awaitDriver(aeronDir);
            gateway = GatewayLossTest.serve(modelDir, "--config", config.toString());
            final String address = GatewayLossTest.awaitServing(gateway);
            try (SwitchyardClient client = SwitchyardClient.connect(address,
                Duration.ofMillis(GATEWAY_TIMEOUT_MS), SwitchyardClient.Driver.EMBEDDED, null))
            {
                final int rows = 20_000;
                final float[] x = Tokens.gaussian(rows, D, 3);
                final RequestOptions options = RequestOptions.exact().withDeadline(Duration.ofSeconds(60));
                // Served once: the gateway works, and its heartbeats have been arriving.
                final long servedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                InferAnswer first;
                while ((first = client.infer(x, rows, null, false, options).get(90, TimeUnit.SECONDS)).status() !=
                    AnswerStatus.OK)
                {
                    assertTrue(System.nanoTime() < servedBy, "the gateway never answered: " + first);
                }
                // Heartbeats come once the gateway has had nothing else for the client for an interval.
                Await.until(() -> client.heartbeatsReceived() != 0, Duration.ofSeconds(30),
                    () -> "no heartbeat came from the gateway");

                final CompletableFuture<InferAnswer> inFlight = client.infer(x, rows, null, false, options);
                signal("STOP", gateway.pid());
                final long stoppedNs = System.nanoTime();
                InferAnswer answer = inFlight.get(60, TimeUnit.SECONDS);
                // Answered before the stop took hold: the next request goes to the stopped gateway.
                while (answer.status() == AnswerStatus.OK)
                {
                    answer = client.infer(x, rows, null, false, options).get(60, TimeUnit.SECONDS);
                }
                final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedNs);
                System.out.println("gateway stopped: the client failed " + tookMs + " ms later with " +
                    answer.status() + ": " + answer.detail());
                assertEquals(AnswerStatus.GATEWAY_UNAVAILABLE, answer.status(), answer.detail());
                assertTrue(answer.detail().contains("stopped serving"), answer.detail());
                // The driver would drop the stopped gateway only after its client liveness timeout (10 s);
                // twice the client's bound still proves the heartbeat, not the driver, ended the wait.
                final long boundMs = client.silenceLimitMs();
                assertTrue(tookMs <= 2 * boundMs, "the client took " + tookMs + " ms, its bound is " + boundMs);
                assertEquals(AnswerStatus.GATEWAY_UNAVAILABLE, client.infer(x, 10, null, false, options)
                    .get(5, TimeUnit.SECONDS).status());
            }
        }
        finally
        {
            if (gateway != null)
            {
                signal("CONT", gateway.pid());
                gateway.destroyForcibly();
                gateway.waitFor(10, TimeUnit.SECONDS);
            }
            driver.destroy();
            if (!driver.waitFor(10, TimeUnit.SECONDS))
            {
                driver.destroyForcibly();
                driver.waitFor(10, TimeUnit.SECONDS);
            }
            IoUtil.delete(new File(aeronDir), true);
        }
    }

    /** A stand-alone Aeron media driver at {@code aeronDir}, deleting its directory when it stops. */
    static Process startDriver(final String aeronDir) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-Xmx128m",
            "-Daeron.dir=" + aeronDir, "-Daeron.dir.delete.on.start=true", "-Daeron.dir.delete.on.shutdown=true",
            "-Daeron.threading.mode=SHARED", "-Daeron.shared.idle.strategy=backoff",
            "-Daeron.ipc.term.buffer.length=16m", "-Daeron.ipc.mtu.length=65504",
            "-cp", System.getProperty("java.class.path"), "io.aeron.driver.MediaDriver"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    }

    static void awaitDriver(final String aeronDir)
    {
        Await.until(() -> SwitchyardClient.driverRunningAt(aeronDir), Duration.ofSeconds(60),
            () -> "the media driver at " + aeronDir + " did not start");
    }

    static void signal(final String signal, final long pid) throws Exception
    {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
}
