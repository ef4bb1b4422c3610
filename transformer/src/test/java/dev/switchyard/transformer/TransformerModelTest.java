package dev.switchyard.transformer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.switchyard.compute.kernel.ComputeBackends;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.model.config.ModelConfig;
import dev.switchyard.model.config.ModelType;
import dev.switchyard.model.directory.ModelDirectory;
import dev.switchyard.model.io.ModelConfigJson;
import dev.switchyard.model.io.SafeTensors;
import dev.switchyard.model.io.SafeTensorsWriter;
import dev.switchyard.transformer.model.TransformerModel;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transformer object of config.json and the tensors of §8: errors name the key or tensor. */
class TransformerModelTest
{
    @TempDir
    Path tmp;

    @Test
    void configRoundTripsAndServesMoeLayersEncoderFirst()
    {
        final ModelConfig config = TestModels.config(ModelType.ENCDEC, "moe,att", "att,enc_att,moe,drd,moe", 9, true);
        final ModelConfig back = ModelConfigJson.parse(ModelConfigJson.toJson(config), "test");
        assertEquals(config, back);
        assertEquals(List.of("encoder.layers.0.moe.", "decoder.layers.2.moe.", "decoder.layers.4.moe."),
            config.transformer().moePrefixes());
        try (ModelDirectory dir = ModelDirectory.open(TestModels.write(tmp.resolve("m"), config, 1)))
        {
            assertEquals(3, dir.layerCount());
            assertTrue(dir.weights().contains("decoder.layers.4.moe.experts.3.wo.bias"));
        }
    }

    @Test
    void configErrorsNameTheKey()
    {
        final String base = ModelConfigJson.toJson(TestModels.config(ModelType.DECODER, null, "att,moe", 9, false));
        assertError(base.replace("\"heads\"", "\"head\""), "unknown key transformer.head");
        assertError(base.replace("\"kv_dim\": 8", "\"kv_dim\": 0"), "transformer.kv_dim must be >= 1");
        assertError(base.replace("\"moe\"]", "\"ffn\"]"), "transformer.decoder_layers[1] must be one of");
        assertError(base.replace("[\"att\", \"moe\"]", "[\"local_att\", \"enc_att\"]"),
            "transformer.decoder_layers[1] is enc_att, which needs type encdec");
        assertError(base.replace("\"second_policy\": \"all\"", "\"second_policy\": \"random\""),
            "routing.second_policy random is not allowed in a transformer");
        assertError(base.replace("\"decoder\"", "\"encoder\""), "transformer.type must be one of decoder, encdec");
    }

    private static void assertError(final String json, final String part)
    {
        final BadInputException ex = assertThrows(BadInputException.class, () -> ModelConfigJson.parse(json, "c"));
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }

    @Test
    void tensorErrorsNameTheTensor() throws Exception
    {
        final ModelConfig config = TestModels.config(ModelType.DECODER, null, "att,moe", 9, false);
        final Path good = TestModels.write(tmp.resolve("good"), config, 1);
        assertEquals("model " + tmp.resolve("missing") + ": missing tensor decoder.layers.0.att.o.weight in model.safetensors",
            loadError(copyWithout(good, tmp.resolve("missing"), "decoder.layers.0.att.o.weight", null)));
        assertTrue(loadError(copyWithout(good, tmp.resolve("extra"), null, "decoder.layers.7.drd.wi.weight"))
            .contains("unexpected tensor decoder.layers.7.drd.wi.weight"));
        assertTrue(loadError(copyWithout(good, tmp.resolve("moe"), "decoder.layers.1.moe.router.weight", null))
            .contains("missing tensor decoder.layers.1.moe.router.weight"));
    }

    private static String loadError(final Path dir)
    {
        final BadInputException ex = assertThrows(BadInputException.class, () ->
        {
            try (ModelDirectory d = ModelDirectory.open(dir))
            {
                TransformerModel.load(d, ComputeBackends.vector(ComputePool.callerOnly()));
            }
        });
        return ex.getMessage();
    }

    private static Path copyWithout(final Path from, final Path to, final String drop, final String add) throws Exception
    {
        Files.createDirectories(to);
        Files.copy(from.resolve(ModelDirectory.CONFIG_FILE), to.resolve(ModelDirectory.CONFIG_FILE));
        final SafeTensorsWriter w = new SafeTensorsWriter();
        try (SafeTensors in = SafeTensors.open(from.resolve(ModelDirectory.WEIGHTS_FILE)))
        {
            for (final String name : in.names())
            {
                if (!name.equals(drop))
                {
                    w.add(name, in.tensor(name).shape(), in.tensor(name).toArray());
                }
            }
            if (add != null)
            {
                w.add(add, new long[] {2, 2}, new float[4]);
            }
            w.write(to.resolve(ModelDirectory.WEIGHTS_FILE));
        }
        return to;
    }
}
