package dev.switchyard.model.io;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;

/**
 * A {@code .safetensors} file of float32 tensors, memory-mapped: tensors are views of the mapping,
 * valid until {@link #close()}. The mapping belongs to a shared arena, so views may be read from
 * any thread.
 * <p>
 * Layout: 8-byte little-endian header length N, N bytes of JSON header
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}}, optional
 * {@code "__metadata__"} string map), then the data buffer the offsets point into. As the reference
 * implementation does, the tensors must cover the data buffer exactly: no overlap, no gap, nothing after.
 */
public final class SafeTensors implements Closeable
{
    /** The reference implementation refuses larger headers; so do we, before parsing anything. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    public static final String METADATA_KEY = "__metadata__";
    public static final String DTYPE_F32 = "F32";

    private static final JsonMapper HEADER_MAPPER = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    private static final ValueLayout.OfLong LE_LONG =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, Entry> entries;
    private final SequencedSet<String> names;
    private final Map<String, String> metadata;
    private boolean closed;

    private record Entry(String name, long[] shape, long begin, long end)
    {
    }

    private SafeTensors(
        final Path path,
        final Arena arena,
        final MemorySegment data,
        final Map<String, Entry> entries,
        final Map<String, String> metadata)
    {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.entries = entries;
        this.names = Collections.unmodifiableSequencedSet(new LinkedHashSet<>(entries.keySet()));
        this.metadata = metadata;
    }

    /**
     * Maps {@code file} and validates its header.
     *
     * @throws BadInputException naming the file and what is wrong with it
     */
    public static SafeTensors open(final Path file)
    {
        if (!Files.exists(file))
        {
            throw new BadInputException("safetensors file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file))
        {
            throw new BadInputException("safetensors file " + file + " is not a regular file");
        }
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment mapped;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                final long size = channel.size();
                if (size < Long.BYTES)
                {
                    throw bad(file, "truncated: " + size + " bytes, the header length alone needs 8");
                }
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
            return parse(file, arena, mapped);
        }
        catch (final NoSuchFileException ex)
        {
            arena.close();
            throw new BadInputException("safetensors file " + file + " does not exist", ex);
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

    private static SafeTensors parse(final Path file, final Arena arena, final MemorySegment mapped)
    {
        final long size = mapped.byteSize();
        final long headerLength = mapped.get(LE_LONG, 0);
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES)
        {
            throw bad(file, "header length " + Long.toUnsignedString(headerLength) +
                " is beyond the " + MAX_HEADER_BYTES + "-byte limit");
        }
        if (headerLength > size - Long.BYTES)
        {
            throw bad(file, "header length " + headerLength + " goes beyond the end of the file (" +
                size + " bytes)");
        }
        final byte[] headerBytes = mapped.asSlice(Long.BYTES, headerLength).toArray(ValueLayout.JAVA_BYTE);
        if (headerLength == 0 || headerBytes[0] != '{')
        {
            throw bad(file, "header does not start with '{'");
        }
        final JsonNode header;
        try
        {
            header = HEADER_MAPPER.readTree(headerBytes);
        }
        catch (final JsonProcessingException ex)
        {
            throw bad(file, "header is not valid JSON: " + Jsons.oneLine(ex));
        }
        catch (final IOException ex)
        {
            throw bad(file, "header cannot be read: " + ex.getMessage());
        }
        if (header == null || !header.isObject())
        {
            throw bad(file, "header is not a JSON object");
        }

        final MemorySegment data = mapped.asSlice(Long.BYTES + headerLength);
        final Map<String, String> metadata = new TreeMap<>();
        final Map<String, Entry> entries = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> field : header.properties())
        {
            final String name = field.getKey();
            if (METADATA_KEY.equals(name))
            {
                readMetadata(file, field.getValue(), metadata);
            }
            else
            {
                entries.put(name, readEntry(file, name, field.getValue()));
            }
        }
        checkCoverage(file, entries, data.byteSize());
        return new SafeTensors(file, arena, data, Collections.unmodifiableMap(entries),
            Collections.unmodifiableMap(metadata));
    }

    private static void readMetadata(final Path file, final JsonNode node, final Map<String, String> out)
    {
        if (node.isNull())
        {
            return;
        }
        if (!node.isObject())
        {
            throw bad(file, METADATA_KEY + " is not an object of strings");
        }
        for (final Map.Entry<String, JsonNode> field : node.properties())
        {
            if (!field.getValue().isTextual())
            {
                throw bad(file, METADATA_KEY + "." + field.getKey() + " is not a string");
            }
            out.put(field.getKey(), field.getValue().textValue());
        }
    }

    private static Entry readEntry(final Path file, final String name, final JsonNode node)
    {
        if (!node.isObject())
        {
            throw bad(file, "tensor " + name + ": header entry is not an object");
        }
        for (final Map.Entry<String, JsonNode> field : node.properties())
        {
            final String key = field.getKey();
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets"))
            {
                throw bad(file, "tensor " + name + ": unknown header key '" + key + "'");
            }
        }
        final JsonNode dtype = node.get("dtype");
        if (dtype == null || !dtype.isTextual())
        {
            throw bad(file, "tensor " + name + ": dtype is missing or not a string");
        }
        if (!DTYPE_F32.equals(dtype.textValue()))
        {
            throw bad(file, "tensor " + name + " has dtype " + dtype.textValue() + "; only F32 is supported");
        }
        final long[] shape = longs(file, name, "shape", node.get("shape"), -1);
        final long[] offsets = longs(file, name, "data_offsets", node.get("data_offsets"), 2);
        long elements = 1;
        try
        {
            for (final long d : shape)
            {
                elements = Math.multiplyExact(elements, d);
            }
            elements = Math.multiplyExact(elements, Float.BYTES);
        }
        catch (final ArithmeticException ex)
        {
            throw bad(file, "tensor " + name + ": shape " + Arrays.toString(shape) + " overflows");
        }
        if (offsets[1] < offsets[0])
        {
            throw bad(file, "tensor " + name + ": data_offsets " + Arrays.toString(offsets) + " end before they begin");
        }
        if (offsets[1] - offsets[0] != elements)
        {
            throw bad(file, "tensor " + name + ": shape " + Arrays.toString(shape) + " F32 needs " + elements +
                " bytes but data_offsets " + Arrays.toString(offsets) + " span " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, shape, offsets[0], offsets[1]);
    }

    private static long[] longs(
        final Path file, final String tensor, final String key, final JsonNode node, final int requiredLength)
    {
        if (node == null || !node.isArray())
        {
            throw bad(file, "tensor " + tensor + ": " + key + " is missing or not an array");
        }
        if (requiredLength >= 0 && node.size() != requiredLength)
        {
            throw bad(file, "tensor " + tensor + ": " + key + " has " + node.size() + " values, needs " +
                requiredLength);
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
        Entry previous = null;
        for (final Entry e : byOffset)
        {
            if (e.end() > dataBytes)
            {
                throw bad(file, "tensor " + e.name() + ": data_offsets [" + e.begin() + ", " + e.end() +
                    "] are out of range, the data buffer has " + dataBytes + " bytes");
            }
            if (e.begin() < covered)
            {
                throw bad(file, "tensor " + e.name() + ": data_offsets [" + e.begin() + ", " + e.end() +
                    "] overlap tensor " + previous.name() + " [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (e.begin() > covered)
            {
                throw bad(file, "data bytes [" + covered + ", " + e.begin() + ") before tensor " + e.name() +
                    " belong to no tensor");
            }
            covered = e.end();
            previous = e;
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

    public Path path()
    {
        return path;
    }

    /** Tensor names in header order. */
    public SequencedSet<String> names()
    {
        return names;
    }

    public boolean contains(final String name)
    {
        return entries.containsKey(name);
    }

    /** The {@code __metadata__} map, empty when the file has none. */
    public Map<String, String> metadata()
    {
        return metadata;
    }

    /** A copy of the shape of {@code name}. */
    public long[] shape(final String name)
    {
        return entry(name).shape().clone();
    }

    /**
     * A view of tensor {@code name}; no data is copied.
     *
     * @throws BadInputException naming the tensor and the file when there is no such tensor
     */
    public F32Tensor tensor(final String name)
    {
        final Entry e = entry(name);
        return new F32Tensor(name, e.shape().clone(), data.asSlice(e.begin(), e.end() - e.begin()));
    }

    private Entry entry(final String name)
    {
        if (closed)
        {
            throw new IllegalStateException("safetensors file " + path + " is closed");
        }
        final Entry e = entries.get(name);
        if (e == null)
        {
            throw new BadInputException("tensor " + name + " is not in safetensors file " + path);
        }
        return e;
    }

    /** Unmaps the file; tensor views taken from it must not be used afterwards. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            arena.close();
        }
    }
}
