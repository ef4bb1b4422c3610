package dev.switchyard.model.directory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.config.SecondPolicy;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.model.io.SafeTensors;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelGeneratorTest
{
    static final ModelConfig CONFIG = new ModelConfig(64, 256, 8, Activation.RELU, true,
        RoutingConfig.defaults().withSecondPolicy(SecondPolicy.THRESHOLD));

    @TempDir
    Path dir;

    @Test
    void writesAModelThatOpensWithTheSameConfig()
    {
        final Path m = dir.resolve("m");
        ModelGenerator.generate(m, CONFIG, 1, 7);
        try (ModelDirectory md = ModelDirectory.open(m))
        {
            assertEquals(CONFIG, md.config());
            assertEquals(1, md.layerCount());
            assertEquals("router.weight", md.router(0).name());
            assertArrayEquals(new long[] {8, 64}, md.router(0).shape());
            assertArrayEquals(new long[] {256}, md.expert(0, 7).wiBias().shape());
        }
    }

    @Test
    void weightsBytesIsTheSizeOfTheFileWritten() throws IOException
    {
        final ModelConfig gated = new ModelConfig(16, 24, 4, Activation.fromConfigName("swiglu"), false,
            RoutingConfig.defaults());
        for (final ModelConfig config : new ModelConfig[] {CONFIG, gated})
        {
            for (final int layers : new int[] {1, 3})
            {
                final Path m = dir.resolve("size-" + config.activation().configName() + "-" + layers);
                ModelGenerator.generate(m, config, layers, 1);
                assertEquals(Files.size(m.resolve(ModelDirectory.WEIGHTS_FILE)),
                    ModelGenerator.weightsBytes(config, layers), m.toString());
            }
        }
    }

    @Test
    void writesTheGateProductOfAGatedActivation()
    {
        final ModelConfig swiglu = new ModelConfig(8, 16, 2, Activation.SWIGLU, true, RoutingConfig.defaults());
        final Path m = dir.resolve("swiglu");
        ModelGenerator.generate(m, swiglu, 1, 5);
        try (ModelDirectory md = ModelDirectory.open(m))
        {
            assertEquals(Activation.SWIGLU, md.config().activation());
            assertArrayEquals(new long[] {16, 8}, md.expert(0, 1).wg().shape());
        }
    }

    @Test
    void usesLayerPrefixesForSeveralLayers() throws IOException
    {
        final ModelConfig noBias = new ModelConfig(8, 16, 2, Activation.RELU, false, RoutingConfig.defaults());
        final Path m = dir.resolve("m");
        ModelGenerator.generate(m, noBias, 3, 1);
        try (SafeTensors st = SafeTensors.open(m.resolve(ModelDirectory.WEIGHTS_FILE)))
        {
            assertEquals(3 * (1 + 2 * 2), st.names().size());
            assertTrue(st.names().stream().allMatch(n -> n.startsWith("layers.")), st.names().toString());
        }
        try (ModelDirectory md = ModelDirectory.open(m))
        {
            assertEquals(3, md.layerCount());
            assertEquals(null, md.expert(2, 1).wiBias());
        }
    }

    @Test
    void isReproducibleForASeedAndDiffersAcrossSeeds() throws IOException
    {
        ModelGenerator.generate(dir.resolve("a"), CONFIG, 2, 42);
        ModelGenerator.generate(dir.resolve("b"), CONFIG, 2, 42);
        ModelGenerator.generate(dir.resolve("c"), CONFIG, 2, 43);
        final byte[] a = Files.readAllBytes(dir.resolve("a").resolve(ModelDirectory.WEIGHTS_FILE));
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("b").resolve(ModelDirectory.WEIGHTS_FILE)));
        assertFalse(java.util.Arrays.equals(a, Files.readAllBytes(dir.resolve("c").resolve(ModelDirectory.WEIGHTS_FILE))));
        // Every tensor has its own stream: no two tensors of one model repeat each other.
        try (ModelDirectory md = ModelDirectory.open(dir.resolve("a")))
        {
            assertFalse(java.util.Arrays.equals(md.expert(0, 0).wi().toArray(), md.expert(0, 1).wi().toArray()));
            assertFalse(java.util.Arrays.equals(md.expert(0, 0).wi().toArray(), md.expert(1, 0).wi().toArray()));
        }
    }

    @Test
    void scalesTheInitialisation()
    {
        final Path m = dir.resolve("m");
        ModelGenerator.generate(m, CONFIG, 1, 3);
        try (ModelDirectory md = ModelDirectory.open(m))
        {
            final List<F32Tensor> wi = new ArrayList<>();
            final List<F32Tensor> wo = new ArrayList<>();
            final List<F32Tensor> bias = new ArrayList<>();
            for (int e = 0; e < 8; e++)
            {
                wi.add(md.expert(0, e).wi());
                wo.add(md.expert(0, e).wo());
                bias.add(md.expert(0, e).wiBias());
                bias.add(md.expert(0, e).woBias());
            }
            // 131072 samples per group: the sample std is within 1% of the true one (seeded, so exact anyway).
            assertEquals(1 / Math.sqrt(64), std(wi), 0.01 / Math.sqrt(64));
            assertEquals(1 / Math.sqrt(256), std(wo), 0.01 / Math.sqrt(256));
            assertEquals(ModelGenerator.BIAS_STD, std(bias), 0.05 * ModelGenerator.BIAS_STD);
            assertEquals(1 / Math.sqrt(64), std(List.of(md.router(0))), 0.1 / Math.sqrt(64));
        }
    }

    private static double std(final List<F32Tensor> tensors)
    {
        double sum = 0;
        double sumSq = 0;
        long n = 0;
        for (final F32Tensor t : tensors)
        {
            for (long i = 0; i < t.elementCount(); i++)
            {
                final double v = t.get(i);
                sum += v;
                sumSq += v * v;
                n++;
            }
        }
        final double mean = sum / n;
        return Math.sqrt(sumSq / n - mean * mean);
    }

    @Test
    void refusesToOverwriteAModel() throws IOException
    {
        final Path m = dir.resolve("m");
        ModelGenerator.generate(m, CONFIG, 1, 1);
        final byte[] before = Files.readAllBytes(m.resolve(ModelDirectory.WEIGHTS_FILE));
        final BadInputException ex = assertThrows(BadInputException.class, () -> ModelGenerator.generate(m, CONFIG, 1, 2));
        assertTrue(ex.getMessage().contains("config.json") && ex.getMessage().contains("already exists"),
            ex.getMessage());
        assertArrayEquals(before, Files.readAllBytes(m.resolve(ModelDirectory.WEIGHTS_FILE)));
    }

    @Test
    void refusesBadArguments()
    {
        final Path m = dir.resolve("m");
        final BadInputException layers = assertThrows(BadInputException.class,
            () -> ModelGenerator.generate(m, CONFIG, 0, 1));
        assertTrue(layers.getMessage().contains("layers must be >= 1"), layers.getMessage());
        final ModelConfig oneExpert = new ModelConfig(4, 4, 1, Activation.RELU, true, RoutingConfig.defaults());
        final BadInputException experts = assertThrows(BadInputException.class,
            () -> ModelGenerator.generate(m, oneExpert, 1, 1));
        assertTrue(experts.getMessage().contains("num_experts must be >= 2"), experts.getMessage());
        assertFalse(Files.exists(m));
    }

    /**
     * Generates a 128 MiB model in a JVM with a 32 MiB heap: only possible when tensors are streamed
     * to the file rather than built in memory.
     */
    @Test
    void generatesAModelLargerThanTheHeap() throws Exception
    {
        final Path m = dir.resolve("big");
        final String java = ProcessHandle.current().info().command().orElse("java");
        final Process p = new ProcessBuilder(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
            GenerateMain.class.getName(), m.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("child.log")));
        assertTrue(Files.size(m.resolve(ModelDirectory.WEIGHTS_FILE)) > 128L << 20);
        try (ModelDirectory md = ModelDirectory.open(m))
        {
            assertEquals(GenerateMain.CONFIG, md.config());
            assertArrayEquals(new long[] {4096, 1024}, md.expert(0, 3).wi().shape());
        }
    }

    /** The child process of {@link #generatesAModelLargerThanTheHeap()}. */
    public static final class GenerateMain
    {
        static final ModelConfig CONFIG = new ModelConfig(1024, 4096, 4, Activation.RELU, false, RoutingConfig.defaults());

        public static void main(final String[] args)
        {
            ModelGenerator.generate(Path.of(args[0]), CONFIG, 1, 5);
            ModelConfigJson.read(Path.of(args[0]).resolve(ModelDirectory.CONFIG_FILE));
        }
    }
}
