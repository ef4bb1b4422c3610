package dev.switchyard.model.directory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.switchyard.model.config.Activation;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.RoutingConfig;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.model.io.SafeTensorsWriter;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelDirectoryTest
{
    static final ModelConfig CONFIG = new ModelConfig(4, 6, 3, Activation.RELU, true, RoutingConfig.defaults());
    static final ModelConfig SWIGLU = new ModelConfig(4, 6, 3, Activation.SWIGLU, true, RoutingConfig.defaults());
    static final ModelConfig NO_BIAS = new ModelConfig(4, 6, 3, Activation.RELU, false, RoutingConfig.defaults());

    @TempDir
    Path dir;

    /** Name -> shape of a complete model, in the order the model directory checks them. */
    static Map<String, long[]> tensors(final ModelConfig c, final int layers, final boolean prefixed)
    {
        final Map<String, long[]> out = new LinkedHashMap<>();
        for (int layer = 0; layer < layers; layer++)
        {
            final String p = TensorNames.prefix(layer, prefixed);
            out.put(TensorNames.router(p), new long[] {c.numExperts(), c.dModel()});
            for (int e = 0; e < c.numExperts(); e++)
            {
                out.put(TensorNames.wi(p, e), new long[] {c.dFf(), c.dModel()});
                if (c.expertBias())
                {
                    out.put(TensorNames.wiBias(p, e), new long[] {c.dFf()});
                }
                out.put(TensorNames.wo(p, e), new long[] {c.dModel(), c.dFf()});
                if (c.expertBias())
                {
                    out.put(TensorNames.woBias(p, e), new long[] {c.dModel()});
                }
            }
        }
        return out;
    }

    /** Writes config.json and a model.safetensors whose tensors hold the value (index of the tensor + 1). */
    private Path model(final ModelConfig c, final Map<String, long[]> tensors)
    {
        final Path m = dir.resolve("m");
        try
        {
            Files.createDirectories(m);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        final SafeTensorsWriter w = new SafeTensorsWriter();
        int index = 0;
        for (final Map.Entry<String, long[]> e : tensors.entrySet())
        {
            long n = 1;
            for (final long d : e.getValue())
            {
                n *= d;
            }
            final float[] data = new float[(int)n];
            java.util.Arrays.fill(data, ++index);
            w.add(e.getKey(), e.getValue(), data);
        }
        w.write(m.resolve(ModelDirectory.WEIGHTS_FILE));
        ModelConfigJson.write(m.resolve(ModelDirectory.CONFIG_FILE), c);
        return m;
    }

    private void refused(final Path m, final String... fragments)
    {
        final BadInputException ex = assertThrows(BadInputException.class, () -> ModelDirectory.open(m).close());
        assertTrue(ex.getMessage().contains(m.toString()), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        for (final String f : fragments)
        {
            assertTrue(ex.getMessage().contains(f), "'" + f + "' not in: " + ex.getMessage());
        }
    }

    @Test
    void aCheckpointFolderIsRefusedSayingWhereItIsComputed() throws IOException
    {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"mixtral\"}");
        final BadInputException e = assertThrows(BadInputException.class, () -> ModelDirectory.open(dir));
        assertTrue(e.getMessage().contains("is a Hugging Face checkpoint folder") &&
            e.getMessage().contains("infer --local"), e.getMessage());
    }

    @Test
    void opensAOneLayerModelWithoutPrefixes()
    {
        final Map<String, long[]> t = tensors(CONFIG, 1, false);
        try (ModelDirectory md = ModelDirectory.open(model(CONFIG, t)))
        {
            assertEquals(CONFIG, md.config());
            assertEquals(1, md.layerCount());
            assertFalse(md.hasGateProduct());
            final F32Tensor router = md.router(0);
            assertArrayEquals(new long[] {3, 4}, router.shape());
            assertEquals(1f, router.get(0));
            final ExpertWeights e2 = md.expert(0, 2);
            assertEquals(4, e2.dModel());
            assertEquals(6, e2.dFf());
            assertEquals("experts.2.wi.weight", e2.wi().name());
            assertEquals(10f, e2.wi().get(0)); // router, then 4 tensors for each of experts 0 and 1
            assertEquals(11f, e2.wiBias().get(5));
            assertArrayEquals(new long[] {4, 6}, e2.wo().shape());
            assertArrayEquals(new long[] {4}, e2.woBias().shape());
            assertNull(e2.wg());
            assertTrue(e2.wi().data().isMapped());
        }
    }

    @Test
    void opensAMultiLayerModel()
    {
        try (ModelDirectory md = ModelDirectory.open(model(NO_BIAS, tensors(NO_BIAS, 3, true))))
        {
            assertEquals(3, md.layerCount());
            assertEquals("layers.2.router.weight", md.router(2).name());
            assertEquals("layers.1.experts.0.wo.weight", md.expert(1, 0).wo().name());
            assertNull(md.expert(2, 2).wiBias());
            assertNull(md.expert(2, 2).woBias());
        }
    }

    @Test
    void aSingleLayerMayUseThePrefix()
    {
        try (ModelDirectory md = ModelDirectory.open(model(CONFIG, tensors(CONFIG, 1, true))))
        {
            assertEquals(1, md.layerCount());
            assertEquals("layers.0.router.weight", md.router(0).name());
        }
    }

    @Test
    void acceptsAGateProductOnEveryExpert()
    {
        final Map<String, long[]> t = tensors(SWIGLU, 2, true);
        for (int layer = 0; layer < 2; layer++)
        {
            for (int e = 0; e < 3; e++)
            {
                t.put(TensorNames.wg(TensorNames.prefix(layer, true), e), new long[] {6, 4});
            }
        }
        try (ModelDirectory md = ModelDirectory.open(model(SWIGLU, t)))
        {
            assertTrue(md.hasGateProduct());
            assertNotNull(md.expert(1, 2).wg());
            assertArrayEquals(new long[] {6, 4}, md.expert(1, 2).wg().shape());
        }
    }

    @Test
    void refusesAGateProductOfTheWrongShapeOrOnSomeExpertsOnly()
    {
        final Map<String, long[]> t = tensors(SWIGLU, 1, false);
        for (int e = 0; e < 3; e++)
        {
            t.put(TensorNames.wg("", e), new long[] {6, 4});
        }
        t.put(TensorNames.wg("", 1), new long[] {4, 6});
        refused(model(SWIGLU, t), "tensor experts.1.wg.weight has shape [4, 6]", "[6, 4]");

        t.remove(TensorNames.wg("", 1));
        refused(model(SWIGLU, t), "missing tensor experts.1.wg.weight", "activation swiglu");

        final Map<String, long[]> late = tensors(CONFIG, 1, false);
        late.put(TensorNames.wg("", 2), new long[] {6, 4});
        refused(model(CONFIG, late), "unexpected tensor experts.2.wg.weight", "activation relu");
    }

    @Test
    void refusesAMissingTensorNamingIt()
    {
        final Map<String, long[]> t = tensors(CONFIG, 2, true);
        t.remove("layers.1.experts.2.wo.weight");
        refused(model(CONFIG, t), "missing tensor layers.1.experts.2.wo.weight");

        final Map<String, long[]> noRouter = tensors(CONFIG, 1, false);
        noRouter.remove("router.weight");
        refused(model(CONFIG, noRouter), "missing tensor router.weight");
    }

    @Test
    void refusesAMissingLayer()
    {
        final Map<String, long[]> t = tensors(CONFIG, 3, true);
        t.keySet().removeIf(n -> n.startsWith("layers.1."));
        refused(model(CONFIG, t), "missing tensor layers.1.router.weight");
    }

    @Test
    void refusesMissingBiasesWhenTheConfigWantsThem()
    {
        refused(model(CONFIG, tensors(NO_BIAS, 1, false)), "missing tensor experts.0.wi.bias", "expert_bias true");
    }

    @Test
    void refusesAWrongShapeNamingTensorAndShapes()
    {
        final Map<String, long[]> t = tensors(CONFIG, 1, false);
        t.put("experts.1.wi.weight", new long[] {4, 6});
        refused(model(CONFIG, t), "tensor experts.1.wi.weight has shape [4, 6]", "needs [6, 4] [d_ff, d_model]");

        final Map<String, long[]> r = tensors(CONFIG, 1, false);
        r.put("router.weight", new long[] {3, 4, 1});
        refused(model(CONFIG, r), "tensor router.weight has shape [3, 4, 1]", "[num_experts, d_model]");

        final Map<String, long[]> b = tensors(CONFIG, 1, false);
        b.put("experts.0.wo.bias", new long[] {6});
        refused(model(CONFIG, b), "tensor experts.0.wo.bias has shape [6]", "[4] [d_model]");
    }

    @Test
    void refusesUnexpectedTensorsNamingThem()
    {
        final Map<String, long[]> t = tensors(CONFIG, 1, false);
        t.put("lm_head.weight", new long[] {1});
        refused(model(CONFIG, t), "unexpected tensor lm_head.weight");

        final Map<String, long[]> extraExpert = tensors(CONFIG, 1, false);
        extraExpert.put("experts.3.wi.weight", new long[] {6, 4});
        refused(model(CONFIG, extraExpert), "unexpected tensor experts.3.wi.weight (config has num_experts 3)");

        refused(model(NO_BIAS, tensors(CONFIG, 2, true)), "unexpected tensor layers.0.experts.0.wi.bias",
            "(config has expert_bias false)");

        final Map<String, long[]> badPrefix = tensors(CONFIG, 1, true);
        badPrefix.put("layers.01.router.weight", new long[] {3, 4});
        refused(model(CONFIG, badPrefix), "unexpected tensor layers.01.router.weight");
    }

    @Test
    void refusesMixingPrefixedAndUnprefixedNames()
    {
        final Map<String, long[]> t = tensors(CONFIG, 1, false);
        t.putAll(tensors(CONFIG, 2, true));
        refused(model(CONFIG, t), "mix layer prefixes", "layers.0.", "no prefix");
    }

    @Test
    void refusesAnEmptyWeightsFile()
    {
        refused(model(CONFIG, new LinkedHashMap<>()), "missing tensor router.weight");
    }

    @Test
    void refusesUnknownLayerAndExpertIndices()
    {
        try (ModelDirectory md = ModelDirectory.open(model(CONFIG, tensors(CONFIG, 2, true))))
        {
            final BadInputException layer = assertThrows(BadInputException.class, () -> md.router(2));
            assertTrue(layer.getMessage().contains("no layer 2") && layer.getMessage().contains("0 to 1"),
                layer.getMessage());
            assertThrows(BadInputException.class, () -> md.router(-1));
            assertThrows(BadInputException.class, () -> md.expert(5, 0));
            final BadInputException expert = assertThrows(BadInputException.class, () -> md.expert(1, 3));
            assertTrue(expert.getMessage().contains("no expert 3") && expert.getMessage().contains("0 to 2"),
                expert.getMessage());
            assertThrows(BadInputException.class, () -> md.expert(0, -1));
        }
    }

    @Test
    void refusesMissingDirectoryAndFiles() throws IOException
    {
        refused(dir.resolve("none"), "does not exist");
        final Path file = Files.writeString(dir.resolve("plain"), "x");
        refused(file, "is not a directory");
        final Path empty = Files.createDirectories(dir.resolve("empty"));
        refused(empty, "has no config.json");
        ModelConfigJson.write(empty.resolve("config.json"), CONFIG);
        refused(empty, "has no model.safetensors");
    }

    @Test
    void reportsConfigAndWeightFileErrorsWithTheirFile() throws IOException
    {
        final Path m = model(CONFIG, tensors(CONFIG, 1, false));
        Files.writeString(m.resolve("config.json"), "{\"d_model\": 4}");
        refused(m, "config.json", "missing required key d_ff");

        final Path m2 = model(CONFIG, tensors(CONFIG, 1, false));
        Files.write(m2.resolve("model.safetensors"), new byte[4]);
        refused(m2, "model.safetensors", "truncated");
    }

    @Test
    void closeUnmapsTheWeights()
    {
        final ModelDirectory md = ModelDirectory.open(model(CONFIG, tensors(CONFIG, 1, false)));
        final F32Tensor wi = md.expert(0, 0).wi();
        assertEquals(2f, wi.get(0));
        md.close();
        assertThrows(IllegalStateException.class, () -> wi.get(0));
    }
}
