package dev.switchyard.cli;

import dev.switchyard.router.BadInputException;
import dev.switchyard.router.config.Activation;
import dev.switchyard.router.config.ModelConfig;
import dev.switchyard.router.config.RoutingConfig;
import dev.switchyard.router.io.Npy;
import dev.switchyard.router.io.NpyArray;
import dev.switchyard.router.model.ModelDirectory;
import dev.switchyard.router.model.ModelGenerator;
import dev.switchyard.router.plan.RoutingRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code switchyard demo}: a demo model, generated traffic, and what happened to it. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Create a demo model, stream generated tokens through it and print a summary.")
final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--local", description = "Compute in this process.")
    boolean local;

    @Option(names = "--tokens", paramLabel = "N", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int tokens = 8192;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Keep the demo model and token files here (default: a temporary directory, removed after).")
    Path dir;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws IOException
    {
        CliArgs.positive("--tokens", tokens);
        if (!local)
        {
            throw new BadInputException("demo runs in process with --local");
        }
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
            256, 1024, 8, Activation.RELU, true, RoutingConfig.defaults().withGroupSize(128));
        final Path modelDir = work.resolve("model");
        final Path tokenFile = work.resolve("tokens.npy");
        System.out.printf("demo: model d_model=%d d_ff=%d experts=%d group_size=%d in %s%n",
            config.dModel(), config.dFf(), config.numExperts(), config.routing().groupSize(), modelDir);
        ModelGenerator.generate(modelDir, config, 1, 7);
        final float[] x = new float[tokens * config.dModel()];
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)random.nextGaussian();
        }
        Npy.write(tokenFile, NpyArray.matrix(tokens, config.dModel(), x));

        try (ModelDirectory model = ModelDirectory.open(modelDir))
        {
            final NpyArray input = TokenFiles.readTokens("tokens", tokenFile, config.dModel());
            final int groups = (tokens + config.routing().groupSize() - 1) / config.routing().groupSize();
            final ProgressBar progress = new ProgressBar(System.err, "demo: groups", groups);
            final LocalInference.Result r =
                LocalInference.run(model, 0, input.data(), tokens, null, compute, progress);
            final double millis = r.computeNanos() / 1e6;
            System.out.println(RoutingSummary.line("demo", r.routing(), millis));
            System.out.printf("demo: %.0f tokens/s in process (%d compute threads, %s backend)%n",
                tokens / (millis / 1e3), compute.threads, compute.backend);
            printExpertLoad(r.routing());
        }
        return 0;
    }

    private static void printExpertLoad(final RoutingRecord routing)
    {
        final long[] load = routing.expertLoad();
        long max = 1;
        for (final long l : load)
        {
            max = Math.max(max, l);
        }
        System.out.println("demo: kept assignments per expert");
        for (int e = 0; e < load.length; e++)
        {
            System.out.printf("  expert %2d %7d %s%n", e, load[e], "#".repeat((int)(40 * load[e] / max)));
        }
    }

    private static void deleteRecursively(final Path root)
    {
        try (var paths = Files.walk(root))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p ->
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
