package dev.switchyard.model.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.model.io.SafeTensors;
import dev.switchyard.wire.BadInputException;

/**
 * One {@code .safetensors} file of F32, BF16 or F16 tensors, memory-mapped in a shared arena:
 * tensors are views of the mapping, never read into the heap, valid until {@link #close()}.
 * The header is checked as {@link SafeTensors} checks it (the tensors cover the data buffer
 * exactly); only the accepted dtypes differ.
 */
final class TypedSafeTensors implements Closeable
{
    private static final JsonMapper HEADER_MAPPER = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    private static final ValueLayout.OfLong LE_LONG =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, Entry> entries;

    private record Entry(String name, TensorDtype dtype, long[] shape, long begin, long end)
    {
    }

    private TypedSafeTensors(final Path path, final Arena arena, final MemorySegment data,
        final Map<String, Entry> entries)
    {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.entries = entries;
    }

    /** Maps {@code file} and checks its header; throws {@link BadInputException} naming what is wrong. */
    static TypedSafeTensors open(final Path file)
    {
        if (!Files.isRegularFile(file))
        {
            throw new BadInputException("safetensors file " + file + " does not exist or is not a regular file");
        }
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment mapped;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                if (channel.size() < Long.BYTES)
                {
                    throw bad(file, "truncated: " + channel.size() + " bytes, the header length alone needs 8");
                }
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            }
            return parse(file, arena, mapped);
        }
        catch (final IOException ex)
        {
            arena.close();
            throw new BadInputException("cannot read safetensors file " + file + ": " + ex, ex);
        }
        catch (final RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
    }

    private static TypedSafeTensors parse(final Path file, final Arena arena, final MemorySegment mapped)
        throws IOException
    {
        final long headerLength = mapped.get(LE_LONG, 0);
        if (headerLength <= 0 || headerLength > SafeTensors.MAX_HEADER_BYTES ||
            headerLength > mapped.byteSize() - Long.BYTES)
        {
            throw bad(file, "header length " + Long.toUnsignedString(headerLength) +
                " is not within the file (" + mapped.byteSize() + " bytes) and the " +
                SafeTensors.MAX_HEADER_BYTES + "-byte limit");
        }
        final byte[] headerBytes = mapped.asSlice(Long.BYTES, headerLength).toArray(ValueLayout.JAVA_BYTE);
        final JsonNode header;
        try
        {
            header = HEADER_MAPPER.readTree(headerBytes);
        }
        catch (final com.fasterxml.jackson.core.JsonProcessingException ex)
        {
            throw bad(file, "header is not valid JSON: " + ex.getOriginalMessage());
        }
        if (header == null || !header.isObject())
        {
            throw bad(file, "header is not a JSON object");
        }
        final MemorySegment data = mapped.asSlice(Long.BYTES + headerLength);
        final Map<String, Entry> entries = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> field : header.properties())
        {
            if (!SafeTensors.METADATA_KEY.equals(field.getKey()))
            {
                entries.put(field.getKey(), readEntry(file, field.getKey(), field.getValue()));
            }
        }
        checkCoverage(file, entries, data.byteSize());
        return new TypedSafeTensors(file, arena, data, Collections.unmodifiableMap(entries));
    }

    private static Entry readEntry(final Path file, final String name, final JsonNode node)
    {
        if (!node.isObject() || node.size() != 3 || !node.path("dtype").isTextual())
        {
            throw bad(file, "tensor " + name + ": header entry is not {dtype, shape, data_offsets}");
        }
        final TensorDtype dtype = TensorDtype.fromHeader(node.get("dtype").textValue());
        if (dtype == null)
        {
            throw bad(file, "tensor " + name + " has dtype " + node.get("dtype").textValue() +
                "; only F32, BF16 and F16 are supported");
        }
        final long[] shape = longs(file, name, "shape", node.get("shape"));
        final long[] offsets = longs(file, name, "data_offsets", node.get("data_offsets"));
        if (offsets.length != 2 || offsets[1] < offsets[0])
        {
            throw bad(file, "tensor " + name + ": data_offsets " + Arrays.toString(offsets) + " are not [begin, end]");
        }
        long bytes = dtype.bytes();
        try
        {
            for (final long d : shape)
            {
                bytes = Math.multiplyExact(bytes, d);
            }
        }
        catch (final ArithmeticException ex)
        {
            throw bad(file, "tensor " + name + ": shape " + Arrays.toString(shape) + " overflows");
        }
        if (offsets[1] - offsets[0] != bytes)
        {
            throw bad(file, "tensor " + name + ": shape " + Arrays.toString(shape) + " " + dtype + " needs " + bytes +
                " bytes but data_offsets " + Arrays.toString(offsets) + " span " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] longs(final Path file, final String tensor, final String key, final JsonNode node)
    {
        if (node == null || !node.isArray())
        {
            throw bad(file, "tensor " + tensor + ": " + key + " is missing or not an array");
        }
        final long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++)
        {
            final JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0)
            {
                throw bad(file, "tensor " + tensor + ": " + key + " " + node +
                    " is not a list of non-negative integers");
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private static void checkCoverage(final Path file, final Map<String, Entry> entries, final long dataBytes)
    {
        final List<Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        for (final Entry e : byOffset)
        {
            if (e.begin() != covered || e.end() > dataBytes)
            {
                throw bad(file, "tensor " + e.name() + ": data_offsets [" + e.begin() + ", " + e.end() +
                    "] leave a gap, overlap another tensor or pass the end of the " + dataBytes + "-byte data buffer");
            }
            covered = e.end();
        }
        if (covered != dataBytes)
        {
            throw bad(file, (dataBytes - covered) + " data bytes after the last tensor belong to no tensor");
        }
    }

    private static BadInputException bad(final Path file, final String what)
    {
        return new BadInputException("safetensors file " + file + ": " + what);
    }

    Path path()
    {
        return path;
    }

    Set<String> names()
    {
        return entries.keySet();
    }

    boolean contains(final String name)
    {
        return entries.containsKey(name);
    }

    /** A view of tensor {@code name}; throws {@link BadInputException} when the file has none. */
    WeightTensor tensor(final String name)
    {
        final Entry e = entries.get(name);
        if (e == null)
        {
            throw new BadInputException("tensor " + name + " is not in safetensors file " + path);
        }
        return new WeightTensor(name, e.dtype(), e.shape().clone(), data.asSlice(e.begin(), e.end() - e.begin()));
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
