package dev.switchyard.bench.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.compute.layer.LocalMoeLayer;
import dev.switchyard.compute.network.ExpertNetwork;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.directory.ModelGenerator;

/**
 * The accuracy cost of bf16 weight storage on the demo model (the model {@code switchyard demo} generates:
 * d_model 256, d_ff 1024, 8 experts, ReLU, biases, seed 7) or on a model directory given as argument:
 * every expert's FFN and the whole layer on N(0, 1) tokens, bf16 against float32 weights, as
 * max |y_bf16 − y_f32| / max |y_f32| and as ‖y_bf16 − y_f32‖₂ / ‖y_f32‖₂.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp 'bench/target/classes:bench/target/lib/*' \
 *     dev.switchyard.bench.kernel.Bf16Accuracy [MODEL_DIR] [TOKENS]
 * </pre>
 */
public final class Bf16Accuracy
{
    private Bf16Accuracy()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        Path temporary = null;
        final Path dir;
        if (args.length > 0)
        {
            dir = Path.of(args[0]);
        }
        else
        {
            temporary = Files.createTempDirectory("switchyard-bf16-");
            dir = temporary.resolve("model");
            final ModelConfig demo = new ModelConfig(
                256, 1024, 8, Activation.RELU, true, RoutingConfig.defaults().withGroupSize(128));
            ModelGenerator.generate(dir, demo, 1, 7);
        }
        try (ModelDirectory model = ModelDirectory.open(dir))
        {
            report(model, tokens);
        }
        finally
        {
            if (temporary != null)
            {
                try (Stream<Path> files = Files.walk(temporary))
                {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static void report(final ModelDirectory model, final int tokens)
    {
        final ModelConfig cfg = model.config();
        final int d = cfg.dModel();
        final ComputeBackend backend = ComputeBackends.vector(ComputePool.callerOnly());
        final float[] x = new float[tokens * d];
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < x.length; i++)
        {
            x[i] = (float)random.nextGaussian();
        }
        System.out.printf(Locale.ROOT, "model %s: d_model=%d d_ff=%d experts=%d activation=%s, %d tokens%n",
            model.path(), d, cfg.dFf(), cfg.numExperts(), cfg.activation().configName(), tokens);
        double worst = 0;
        for (int e = 0; e < cfg.numExperts(); e++)
        {
            final float[] f32 = new float[tokens * d];
            final float[] bf16 = new float[tokens * d];
            ExpertNetwork.load(model.expert(0, e), cfg.activation(), backend, WeightFormat.F32)
                .forward(x, 0, tokens, f32, 0);
            ExpertNetwork.load(model.expert(0, e), cfg.activation(), backend, WeightFormat.BF16)
                .forward(x, 0, tokens, bf16, 0);
            worst = Math.max(worst, print("expert " + e, bf16, f32));
        }
        System.out.printf(Locale.ROOT, "experts: worst max relative error %.3e%n", worst);
        final float[] f32 = new float[tokens * d];
        final float[] bf16 = new float[tokens * d];
        LocalMoeLayer.load(model, 0, backend, WeightFormat.F32).forward(x, tokens, null, f32, null);
        LocalMoeLayer.load(model, 0, backend, WeightFormat.BF16).forward(x, tokens, null, bf16, null);
        print("layer", bf16, f32);
    }

    private static double print(final String what, final float[] actual, final float[] expected)
    {
        double maxDiff = 0;
        double maxRef = 0;
        double sumDiff2 = 0;
        double sumRef2 = 0;
        for (int i = 0; i < expected.length; i++)
        {
            final double diff = (double)actual[i] - expected[i];
            maxDiff = Math.max(maxDiff, Math.abs(diff));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
            sumDiff2 += diff * diff;
            sumRef2 += (double)expected[i] * expected[i];
        }
        final double maxRelative = maxDiff / maxRef;
        System.out.printf(Locale.ROOT, "%s: bf16 vs f32 max relative error %.3e, rms relative error %.3e%n",
            what, maxRelative, Math.sqrt(sumDiff2 / sumRef2));
        return maxRelative;
    }
}
