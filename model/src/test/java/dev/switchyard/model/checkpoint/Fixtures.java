package dev.switchyard.model.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiConsumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.model.io.SafeTensorsWriter;
import dev.switchyard.testkit.TestData;

/** The committed checkpoints of testdata/checkpoints, and modified copies of them. */
final class Fixtures
{
    static final JsonMapper JSON = JsonMapper.builder().build();

    private Fixtures()
    {
    }

    static Path checkpoint(final String name)
    {
        return TestData.checkpoints().resolve(name);
    }

    static JsonNode layersJson(final String name)
    {
        return read(checkpoint(name).resolve("reference/layers.json"));
    }

    static JsonNode read(final Path file)
    {
        try
        {
            return JSON.readTree(file.toFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Copies the config.json of {@code name} into {@code dir}, edited by {@code edit}. */
    static void copyConfig(final String name, final Path dir, final java.util.function.Consumer<ObjectNode> edit)
    {
        try
        {
            Files.createDirectories(dir);
            final ObjectNode config = (ObjectNode)read(checkpoint(name).resolve("config.json"));
            edit.accept(config);
            JSON.writeValue(dir.resolve("config.json").toFile(), config);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Writes a float32 model.safetensors into {@code dir} holding every tensor of the single-file
     * checkpoint {@code name}, passed through {@code rewrite}: it gets (name, tensor) and adds what
     * it wants to the writer it was built around.
     */
    static void rewriteWeights(final String name, final Path dir,
        final java.util.function.Function<SafeTensorsWriter, BiConsumer<String, WeightTensor>> rewrite)
    {
        final SafeTensorsWriter writer = new SafeTensorsWriter();
        final BiConsumer<String, WeightTensor> each = rewrite.apply(writer);
        try (TypedSafeTensors file = TypedSafeTensors.open(checkpoint(name).resolve("model.safetensors")))
        {
            for (final String tensor : file.names())
            {
                each.accept(tensor, file.tensor(tensor));
            }
            writer.write(dir.resolve("model.safetensors"));
        }
    }

    /** Adds {@code t} to {@code w} under {@code name}, widened to float32. */
    static void add(final SafeTensorsWriter w, final String name, final WeightTensor t)
    {
        w.add(name, t.shapeCopy(), t.toF32().toArray());
    }

    static Map<String, String> dtypeNames()
    {
        return Map.of("float32", "F32", "bfloat16", "BF16", "float16", "F16");
    }
}
