package dev.switchyard.model.io;

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
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchyard.wire.BadInputException;

/**
 * The checked header of a memory-mapped {@code .safetensors} file and the data buffer it describes.
 * <p>
 * Layout: 8-byte little-endian header length N, N bytes of JSON header
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}}, optional
 * {@code "__metadata__"} string map), then the data buffer the offsets point into. As the reference
 * implementation does, the tensors must cover the data buffer exactly: no overlap, no gap, nothing after.
 * Each reader names the dtypes it accepts and their element widths; any other dtype is refused, naming
 * the tensor, before its size is checked.
 *
 * @param file     the file
 * @param entries  the tensors in header order
 * @param metadata the {@code __metadata__} map, empty when the file has none
 * @param data     the data buffer, a view of the mapping after the header
 */
public record SafeTensorsHeader(
    Path file,
    SequencedMap<String, SafeTensorsHeader.Entry> entries,
    Map<String, String> metadata,
    MemorySegment data)
{
    /** The reference implementation refuses larger headers; so do we, before parsing anything. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    public static final String METADATA_KEY = "__metadata__";

    private static final JsonMapper HEADER_MAPPER = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    private static final ValueLayout.OfLong LE_LONG =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One tensor of the header: its dtype as the header names it (one the reader accepts), its shape
     * and the bytes [begin, end) of the data buffer it occupies.
     */
    public record Entry(String name, String dtype, long[] shape, long begin, long end)
    {
        /** A copy of the shape. */
        public long[] shapeCopy()
        {
            return shape.clone();
        }

        /** The tensor's bytes: a view of {@code data}, the data buffer of its file. */
        public MemorySegment slice(final MemorySegment data)
        {
            return data.asSlice(begin, end - begin);
        }
    }

    /**
     * The entry of tensor {@code name}.
     *
     * @throws BadInputException naming the tensor and the file when there is no such tensor
     */
    public Entry entry(final String name)
    {
        final Entry e = entries.get(name);
        if (e == null)
        {
            throw new BadInputException("tensor " + name + " is not in safetensors file " + file);
        }
        return e;
    }

    /**
     * Maps {@code file} into a new shared arena, checks its header and hands both to {@code reader},
     * which then owns the arena; when anything throws, the arena is closed.
     *
     * @param dtypeBytes the dtypes the reader accepts, in the order its error names them, and the
     *                   bytes per element of each
     * @throws BadInputException naming the file and what is wrong with it
     */
    public static <R> R open(final Path file, final SequencedMap<String, Integer> dtypeBytes,
        final BiFunction<Arena, SafeTensorsHeader, R> reader)
    {
        final Arena arena = Arena.ofShared();
        try
        {
            return reader.apply(arena, map(file, arena, dtypeBytes));
        }
        catch (final RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
    }

    private static SafeTensorsHeader map(
        final Path file, final Arena arena, final SequencedMap<String, Integer> dtypeBytes)
    {
        if (!Files.exists(file))
        {
            throw new BadInputException("safetensors file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file))
        {
            throw new BadInputException("safetensors file " + file + " is not a regular file");
        }
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
        catch (final NoSuchFileException ex)
        {
            throw new BadInputException("safetensors file " + file + " does not exist", ex);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read safetensors file " + file + ": " + ex, ex);
        }
        return parse(file, mapped, dtypeBytes);
    }

    /**
     * Checks the header of {@code mapped}, the whole of {@code file}.
     *
     * @throws BadInputException naming the file and what is wrong with it
     */
    public static SafeTensorsHeader parse(
        final Path file, final MemorySegment mapped, final SequencedMap<String, Integer> dtypeBytes)
    {
        final long headerLength = headerLength(file, mapped);
        final JsonNode header = readJson(file, mapped.asSlice(Long.BYTES, headerLength).toArray(ValueLayout.JAVA_BYTE));
        final MemorySegment data = mapped.asSlice(Long.BYTES + headerLength);
        final Map<String, String> metadata = new TreeMap<>();
        final SequencedMap<String, Entry> entries = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> field : header.properties())
        {
            final String name = field.getKey();
            if (METADATA_KEY.equals(name))
            {
                readMetadata(file, field.getValue(), metadata);
            }
            else
            {
                entries.put(name, readEntry(file, name, field.getValue(), dtypeBytes));
            }
        }
        checkCoverage(file, entries, data.byteSize());
        return new SafeTensorsHeader(file, Collections.unmodifiableSequencedMap(entries),
            Collections.unmodifiableMap(metadata), data);
    }

    private static long headerLength(final Path file, final MemorySegment mapped)
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
        return headerLength;
    }

    private static JsonNode readJson(final Path file, final byte[] headerBytes)
    {
        if (headerBytes.length == 0 || headerBytes[0] != '{')
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
        return header;
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

    private static Entry readEntry(
        final Path file, final String name, final JsonNode node, final SequencedMap<String, Integer> dtypeBytes)
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
        final JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual())
        {
            throw bad(file, "tensor " + name + ": dtype is missing or not a string");
        }
        final String dtype = dtypeNode.textValue();
        final Integer width = dtypeBytes.get(dtype);
        if (width == null)
        {
            throw bad(file, "tensor " + name + " has dtype " + dtype + "; " + onlySupported(dtypeBytes));
        }
        final long[] shape = longs(file, name, "shape", node.get("shape"), -1);
        final long[] offsets = longs(file, name, "data_offsets", node.get("data_offsets"), 2);
        final long bytes = byteCount(file, name, shape, width);
        if (offsets[1] < offsets[0])
        {
            throw bad(file, "tensor " + name + ": data_offsets " + Arrays.toString(offsets) + " end before they begin");
        }
        if (offsets[1] - offsets[0] != bytes)
        {
            throw bad(file, "tensor " + name + ": shape " + Arrays.toString(shape) + " " + dtype + " needs " + bytes +
                " bytes but data_offsets " + Arrays.toString(offsets) + " span " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** "only F32 is supported", "only F32, BF16 and F16 are supported". */
    private static String onlySupported(final SequencedMap<String, Integer> dtypeBytes)
    {
        final List<String> names = List.copyOf(dtypeBytes.keySet());
        if (names.size() == 1)
        {
            return "only " + names.getFirst() + " is supported";
        }
        return "only " + String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast() +
            " are supported";
    }

    private static long byteCount(final Path file, final String name, final long[] shape, final int width)
    {
        long bytes = width;
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
        return bytes;
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
}
