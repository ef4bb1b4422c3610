package dev.switchyard.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import com.typesafe.config.ConfigFactory;
import dev.switchyard.client.SwitchyardClient;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.layer.LocalMoeLayer;
import dev.switchyard.gateway.metrics.GatewayMetrics;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;
import dev.switchyard.model.io.Npy;
import dev.switchyard.model.io.NpyArray;
import dev.switchyard.node.system.EmbeddedSystem;
import dev.switchyard.routing.plan.RoutingRecord;
import dev.switchyard.routing.plan.TokenGroups;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code switchyard demo}: a demo model, generated traffic through the embedded system (or in process
 * with {@code --local}), and what happened to it.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Create a demo model, stream generated tokens through Switchyard and print what happened.")
final class DemoCommand implements Callable<Integer>
{
    private static final int WARMUP_REQUESTS = 24;
    private static final int DEMO_D_MODEL = 256;

    @Option(names = "--local", description = "Compute in this process instead of the embedded system.")
    boolean local;

    @Option(names = "--tokens", paramLabel = "N", description = "Tokens to stream (default: ${DEFAULT-VALUE}).")
    int tokens = 8192;

    @Option(names = "--in-flight", paramLabel = "N",
        description = "Requests in flight at once (default: ${DEFAULT-VALUE}).")
    int inFlight = 4;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Keep the demo model and token files here (default: a temporary directory, removed after).")
    Path dir;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws IOException
    {
        CliArgs.positive("--tokens", tokens);
        CliArgs.positive("--in-flight", inFlight);
        // The generated tokens, their copy as read back, the answers and the in-process reference.
        MemoryBudget.require("demo --tokens " + tokens, Counts.of(tokens, "token") + " × d_model " + DEMO_D_MODEL,
            Float.BYTES * 5.0 * tokens * DEMO_D_MODEL, (double)tokens * DEMO_D_MODEL);
        final boolean temporary = dir == null;
        final Path work = temporary ? Files.createTempDirectory("switchyard-demo-") : Files.createDirectories(dir);
        try
        {
            return run(work);
        }
        finally
        {
            if (temporary)
            {
                deleteRecursively(work);
            }
        }
    }

    private int run(final Path work)
    {
        final ModelConfig config = new ModelConfig(
            DEMO_D_MODEL, 1024, 8, Activation.RELU, true, RoutingConfig.defaults().withGroupSize(128));
        final Path modelDir = work.resolve("model");
        final Path tokenFile = work.resolve("tokens.npy");
        System.out.printf("demo: model d_model=%d d_ff=%d experts=%d group_size=%d in %s%n",
            config.dModel(), config.dFf(), config.numExperts(), config.routing().groupSize(), modelDir);
        if (!Files.exists(modelDir.resolve(ModelDirectory.CONFIG_FILE)))
        {
            ModelGenerator.generate(modelDir, config, 1, 7);
        }
        final float[] generated = new float[tokens * config.dModel()];
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < generated.length; i++)
        {
            generated[i] = (float)random.nextGaussian();
        }
        Npy.write(tokenFile, NpyArray.matrix(tokens, config.dModel(), generated));

        try (ModelDirectory model = ModelDirectory.open(modelDir))
        {
            final float[] x = TokenFiles.readTokens("tokens", tokenFile, config.dModel()).data();
            return local ? runLocal(model, x) : runSystem(modelDir, model, x);
        }
    }

    private int runLocal(final ModelDirectory model, final float[] x)
    {
        final int groups = new TokenGroups(tokens, model.config().routing().groupSize()).count();
        final ProgressBar progress = new ProgressBar(System.err, "demo: groups", groups);
        final LocalInference.Result r = LocalInference.run(model, 0, x, tokens, null, compute, progress);
        final double millis = r.computeNanos() / 1e6;
        System.out.println(RoutingSummary.line("demo", r.routing(), millis));
        System.out.printf("demo: %.0f tokens/s in process (%d compute threads, %s backend)%n",
            tokens / (millis / 1e3), compute.threads, compute.backend);
        printLoad(r.routing().expertLoad());
        return 0;
    }

    /**
     * One request per token group, {@code inFlight} at a time, through the embedded system; every output is
     * then compared bit for bit with the same group computed in process (after the run, so that the kernels
     * the system warmed up serve the reference too).
     */
    private int runSystem(final Path modelDir, final ModelDirectory model, final float[] x)
    {
        final ModelConfig cfg = model.config();
        final int d = cfg.dModel();
        final TokenGroups requests = new TokenGroups(tokens, cfg.routing().groupSize());

        System.out.println("demo: starting the embedded system (media driver, cluster of one, gateway, " +
            cfg.numExperts() + " expert actors)");
        try (EmbeddedSystem system = EmbeddedSystem.start(modelDir, ConfigFactory.parseString(
            compute.systemSettings())))
        {
            final SwitchyardClient client = system.client();
            warmUp(client, x, requests, d);
            final long warmAnswers = system.metrics().tokensAnswered.get();
            final long[] warmLoad = expertLoad(system.metrics(), cfg.numExperts());

            final Streamed streamed = stream(client, x, requests, d);

            final RoutingRecord routing = new RoutingRecord(requests, cfg.numExperts());
            final float[] reference = reference(model, x, requests, routing);
            final int matched = matching(streamed.answers(), reference, requests, d);

            final GatewayMetrics metrics = system.metrics();
            final double seconds = streamed.seconds();
            final Histogram latencyMicros = streamed.latencyMicros();
            System.out.println(RoutingSummary.line("demo", routing, seconds * 1e3) + " through the embedded system");
            System.out.printf("demo: %.0f tokens/s, %d requests of %d tokens, %d in flight, %d compute threads%n",
                tokens / seconds, requests.count(), cfg.routing().groupSize(), inFlight, compute.threads);
            System.out.printf("demo: latency ms  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f%n",
                latencyMicros.getValueAtPercentile(50) / 1e3, latencyMicros.getValueAtPercentile(90) / 1e3,
                latencyMicros.getValueAtPercentile(99) / 1e3, latencyMicros.getMaxValue() / 1e3);
            System.out.printf("demo: gateway answered %d tokens; %d requests failed%n",
                metrics.tokensAnswered.get() - warmAnswers, streamed.failed().get());
            final long[] load = expertLoad(metrics, cfg.numExperts());
            for (int e = 0; e < load.length; e++)
            {
                load[e] -= warmLoad[e];
            }
            printLoad(load);
            final boolean allMatched = matched == requests.count();
            System.out.printf("demo: outputs %s: %d/%d requests bit-identical to the in-process layer%n",
                allMatched ? "match" : "DIFFER", matched, requests.count());
            return allMatched ? 0 : Main.EXIT_FAILURE;
        }
    }

    /** What the timed requests brought back: answers by request (null where one failed), their latencies. */
    private record Streamed(float[][] answers, AtomicInteger failed, Histogram latencyMicros, double seconds)
    {
    }

    /** A few requests first, untimed, so that the timed run meets warm kernels and connections. */
    private static void warmUp(final SwitchyardClient client, final float[] x, final TokenGroups requests, final int d)
    {
        System.out.println("demo: warming up (" + WARMUP_REQUESTS + " requests)");
        for (int i = 0; i < WARMUP_REQUESTS; i++)
        {
            final int r = i % requests.count();
            client.infer(Arrays.copyOfRange(x, requests.start(r) * d, (requests.start(r) + requests.size(r)) * d),
                requests.size(r), null, false).join();
        }
    }

    /** Sends every request, {@code inFlight} at a time, and waits for all of their answers. */
    private Streamed stream(final SwitchyardClient client, final float[] x, final TokenGroups requests, final int d)
    {
        final Histogram latencyMicros = new Histogram(60_000_000L, 3);
        final float[][] answers = new float[requests.count()][];
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final Semaphore window = new Semaphore(inFlight);
        final ProgressBar progress = new ProgressBar(System.err, "demo: requests", requests.count());
        final CompletableFuture<?>[] all = new CompletableFuture<?>[requests.count()];
        final long start = System.nanoTime();
        for (int r = 0; r < requests.count(); r++)
        {
            window.acquireUninterruptibly();
            final int req = r;
            final int from = requests.start(r) * d;
            final int to = from + requests.size(r) * d;
            final long sent = System.nanoTime();
            all[r] = client.infer(Arrays.copyOfRange(x, from, to), requests.size(r), null, false)
                .whenComplete((answer, error) ->
                {
                    synchronized (latencyMicros)
                    {
                        latencyMicros.recordValue(Math.min((System.nanoTime() - sent) / 1000, 60_000_000L));
                    }
                    if (error == null && answer.ok())
                    {
                        answers[req] = answer.output();
                    }
                    else
                    {
                        failed.incrementAndGet();
                        System.err.println("demo: request " + req + " answered " +
                            (error != null ? error.toString() : answer.status() + " " + answer.detail()));
                    }
                    window.release();
                    progress.update(done.incrementAndGet());
                });
        }
        CompletableFuture.allOf(all).join();
        final double seconds = (System.nanoTime() - start) / 1e9;
        return new Streamed(answers, failed, latencyMicros, seconds);
    }

    /** The same requests computed in process, each a sequence of its own; their routing goes into {@code routing}. */
    private float[] reference(
        final ModelDirectory model, final float[] x, final TokenGroups requests, final RoutingRecord routing)
    {
        System.out.println("demo: computing the in-process reference");
        final float[] reference = new float[tokens * model.config().dModel()];
        try (ComputePool pool = compute.pool())
        {
            final LocalMoeLayer layer = LocalMoeLayer.load(model, 0, compute.backend(pool), compute.weightFormat());
            for (int r = 0; r < requests.count(); r++)
            {
                // Each request is a sequence of its own: its one group has ordinal 0.
                routing.record(r, layer.forwardGroup(x, requests.start(r), requests.size(r), null, 0, reference));
            }
        }
        return reference;
    }

    /** How many requests were answered with exactly the reference's bits. */
    private static int matching(
        final float[][] answers, final float[] reference, final TokenGroups requests, final int d)
    {
        int matched = 0;
        for (int r = 0; r < requests.count(); r++)
        {
            final int from = requests.start(r) * d;
            if (answers[r] != null &&
                Arrays.equals(answers[r], Arrays.copyOfRange(reference, from, from + requests.size(r) * d)))
            {
                matched++;
            }
        }
        return matched;
    }

    private static long[] expertLoad(final GatewayMetrics metrics, final int experts)
    {
        final long[] load = new long[experts];
        for (int e = 0; e < experts; e++)
        {
            load[e] = metrics.expertRows(0, e);
        }
        return load;
    }

    private static void printLoad(final long[] load)
    {
        long max = 1;
        for (final long l : load)
        {
            max = Math.max(max, l);
        }
        System.out.println("demo: rows computed per expert");
        for (int e = 0; e < load.length; e++)
        {
            System.out.printf("  expert %2d %7d %s%n", e, load[e], "#".repeat((int)(40 * load[e] / max)));
        }
    }

    private static void deleteRecursively(final Path root)
    {
        try (var paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
