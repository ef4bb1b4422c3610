package dev.switchyard.model.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.wire.BadInputException;

/**
 * The weights of a checkpoint folder: {@code model.safetensors}, or the shards that
 * {@code model.safetensors.index.json} names, every file memory-mapped in place.
 */
final class CheckpointWeights implements Closeable
{
    private static final String SCALE_SUFFIX = "_scale_inv";

    static final String SINGLE_FILE = "model.safetensors";
    static final String INDEX_FILE = "model.safetensors.index.json";

    private final List<TypedSafeTensors> files;
    private final Map<String, TypedSafeTensors> byName;
    private final SortedSet<String> names;
    private boolean closed;

    private CheckpointWeights(final List<TypedSafeTensors> files, final Map<String, TypedSafeTensors> byName)
    {
        this.files = files;
        this.byName = byName;
        this.names = Collections.unmodifiableSortedSet(new TreeSet<>(byName.keySet()));
    }

    static CheckpointWeights open(final Path dir)
    {
        final Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index))
        {
            return openShards(dir, index);
        }
        final Path single = dir.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single))
        {
            throw new BadInputException("checkpoint " + dir + " has neither " + SINGLE_FILE + " nor " + INDEX_FILE);
        }
        final TypedSafeTensors file = TypedSafeTensors.open(single);
        final Map<String, TypedSafeTensors> byName = new LinkedHashMap<>();
        for (final String name : file.names())
        {
            byName.put(name, file);
        }
        return new CheckpointWeights(List.of(file), byName);
    }

    private static CheckpointWeights openShards(final Path dir, final Path index)
    {
        final JsonNode map = readIndex(index).get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty())
        {
            throw new BadInputException(index + ": weight_map is missing, empty or not an object");
        }
        final Map<String, TypedSafeTensors> shards = new LinkedHashMap<>();
        final Map<String, TypedSafeTensors> byName = new LinkedHashMap<>();
        try
        {
            for (final Map.Entry<String, JsonNode> e : map.properties())
            {
                final String shard = e.getValue().isTextual() ? e.getValue().textValue() : "";
                if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.startsWith("."))
                {
                    throw new BadInputException(index + ": weight_map." + e.getKey() + " " + e.getValue() +
                        " is not a file name in the checkpoint folder");
                }
                final TypedSafeTensors file = shards.computeIfAbsent(shard, s -> TypedSafeTensors.open(dir.resolve(s)));
                if (!file.contains(e.getKey()))
                {
                    throw new BadInputException("tensor " + e.getKey() + " is not in " + file.path() + " where " +
                        INDEX_FILE + " places it");
                }
                byName.put(e.getKey(), file);
            }
        }
        catch (final RuntimeException ex)
        {
            shards.values().forEach(TypedSafeTensors::close);
            throw ex;
        }
        return new CheckpointWeights(List.copyOf(shards.values()), byName);
    }

    private static JsonNode readIndex(final Path index)
    {
        try
        {
            final JsonNode root = JsonMapper.builder().build().readTree(Files.readAllBytes(index));
            if (root == null || !root.isObject())
            {
                throw new BadInputException(index + " is not a JSON object");
            }
            return root;
        }
        catch (final com.fasterxml.jackson.core.JsonProcessingException ex)
        {
            throw new BadInputException(index + " is not valid JSON: " + ex.getOriginalMessage(), ex);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read " + index + ": " + ex, ex);
        }
    }

    /** The weight files, in the order first named. */
    List<Path> paths()
    {
        final List<Path> out = new ArrayList<>();
        files.forEach(f -> out.add(f.path()));
        return out;
    }

    boolean contains(final String name)
    {
        return byName.containsKey(name);
    }

    /** Every tensor name, sorted. */
    SortedSet<String> names()
    {
        return names;
    }

    WeightTensor tensor(final String name)
    {
        if (closed)
        {
            throw new IllegalStateException("checkpoint weights are closed");
        }
        final TypedSafeTensors file = byName.get(name);
        if (file == null)
        {
            throw new BadInputException("tensor " + name + " is not in the checkpoint");
        }
        final WeightTensor t = file.tensor(name);
        return t.dtype() == TensorDtype.F8_E4M3 ? withScales(t) : t;
    }

    /** The scale tensor of a quantized weight: {@code X.weight} → {@code X.weight_scale_inv}, as in transformers. */
    private static String scaleName(final String weight)
    {
        return weight + SCALE_SUFFIX;
    }

    /** Whether {@code name} holds the block scales of an fp8 weight of the checkpoint. */
    boolean isScaleOfQuantized(final String name)
    {
        if (!name.endsWith(SCALE_SUFFIX))
        {
            return false;
        }
        final String weight = name.substring(0, name.length() - SCALE_SUFFIX.length());
        return contains(weight) && byName.get(weight).tensor(weight).dtype() == TensorDtype.F8_E4M3;
    }

    private WeightTensor withScales(final WeightTensor t)
    {
        final String scaleName = scaleName(t.name());
        if (!contains(scaleName))
        {
            throw new BadInputException("tensor " + t.name() + " is float8 (F8_E4M3) and has no block scales " +
                scaleName);
        }
        final WeightTensor scales = byName.get(scaleName).tensor(scaleName);
        if (scales.dtype() == TensorDtype.F8_E4M3 || t.rank() != 2 || scales.rank() != 2 ||
            t.dim(0) % scales.dim(0) != 0 || t.dim(1) % scales.dim(1) != 0)
        {
            throw new BadInputException("tensor " + t.name() + " " + t.dtype() + " " + t.shapeString() +
                " cannot take block scales " + scaleName + " " + scales.dtype() + " " + scales.shapeString() +
                ": an fp8 weight needs a float matrix of scales whose shape divides its own");
        }
        return t.withScales(scales);
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            files.forEach(TypedSafeTensors::close);
        }
    }
}
