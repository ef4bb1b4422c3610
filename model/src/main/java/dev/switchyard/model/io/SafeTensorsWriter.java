package dev.switchyard.model.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;

/**
 * Writes float32 tensors to a {@code .safetensors} file byte for byte as the reference implementation
 * does: tensors sorted by name (all share the F32 alignment), compact JSON header with
 * {@code __metadata__} first, the header padded with spaces to a multiple of 8 bytes.
 * <p>
 * Tensor data is pulled from each tensor's {@link Content} while writing, one tensor at a time, so a
 * model larger than the heap can be written. The file appears under its name only when complete.
 */
public final class SafeTensorsWriter
{
    private static final int BUFFER_BYTES = 1 << 20;

    /** Produces a tensor's values in C order. */
    @FunctionalInterface
    public interface Content
    {
        void writeTo(FloatSink sink) throws IOException;
    }

    private record Pending(String name, long[] shape, long bytes, Content content, MemorySegment raw)
    {
    }

    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> metadata = new TreeMap<>();

    /** Adds {@code key: value} to the {@code __metadata__} map. */
    public SafeTensorsWriter metadata(final String key, final String value)
    {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor whose values, in C order, are {@code data}. */
    public SafeTensorsWriter add(final String name, final long[] shape, final float[] data)
    {
        final long n = elements(name, shape);
        if (n != data.length)
        {
            throw new IllegalArgumentException(
                "tensor " + name + " " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        return add(name, shape, n, sink -> sink.put(data, 0, data.length), null);
    }

    /** Adds a copy of {@code tensor} (a view of another file, for instance) under its own name. */
    public SafeTensorsWriter add(final F32Tensor tensor)
    {
        return add(tensor.name(), tensor.shape(), tensor.elementCount(), null, tensor.data());
    }

    /** Adds a tensor whose values {@code content} produces when the file is written. */
    public SafeTensorsWriter add(final String name, final long[] shape, final Content content)
    {
        return add(name, shape, elements(name, shape), content, null);
    }

    private SafeTensorsWriter add(
        final String name, final long[] shape, final long elements, final Content content, final MemorySegment raw)
    {
        if (SafeTensors.METADATA_KEY.equals(name))
        {
            throw new IllegalArgumentException("a tensor cannot be named " + name);
        }
        if (!names.add(name))
        {
            throw new IllegalArgumentException("tensor " + name + " added twice");
        }
        tensors.add(new Pending(name, shape.clone(), elements * Float.BYTES, content, raw));
        return this;
    }

    private static long elements(final String name, final long[] shape)
    {
        long n = 1;
        for (final long d : shape)
        {
            if (d < 0)
            {
                throw new IllegalArgumentException("tensor " + name + " has a negative dimension " +
                    Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        Math.multiplyExact(n, (long)Float.BYTES);
        return n;
    }

    /** The header as the reference implementation writes it: 8-byte length, JSON, space padding. */
    public byte[] header()
    {
        final List<Pending> sorted = sorted();
        final StringBuilder json = new StringBuilder(64 + 96 * sorted.size()).append('{');
        if (!metadata.isEmpty())
        {
            Jsons.appendString(json, SafeTensors.METADATA_KEY);
            json.append(":{");
            boolean first = true;
            for (final Map.Entry<String, String> e : metadata.entrySet())
            {
                json.append(first ? "" : ",");
                Jsons.appendString(json, e.getKey());
                json.append(':');
                Jsons.appendString(json, e.getValue());
                first = false;
            }
            json.append('}').append(sorted.isEmpty() ? "" : ",");
        }
        long offset = 0;
        for (int i = 0; i < sorted.size(); i++)
        {
            final Pending t = sorted.get(i);
            json.append(i == 0 ? "" : ",");
            Jsons.appendString(json, t.name());
            json.append(":{\"dtype\":\"F32\",\"shape\":[");
            for (int d = 0; d < t.shape().length; d++)
            {
                json.append(d == 0 ? "" : ",").append(t.shape()[d]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + t.bytes()).append("]}");
            offset += t.bytes();
        }
        json.append('}');
        final byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        final int padded = (text.length + 7) & ~7;
        final ByteBuffer out = ByteBuffer.allocate(Long.BYTES + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(text);
        while (out.hasRemaining())
        {
            out.put((byte)' ');
        }
        return out.array();
    }

    /** The size of the file {@link #write} writes: the header and every tensor's data. */
    public long fileBytes()
    {
        long bytes = header().length;
        for (final Pending t : tensors)
        {
            bytes = Math.addExact(bytes, t.bytes());
        }
        return bytes;
    }

    /**
     * Writes the file; on failure nothing is left under {@code file}'s name.
     *
     * @throws BadInputException naming the file when it cannot be written
     */
    public void write(final Path file)
    {
        try
        {
            writeChecked(file);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot write safetensors file " + file + ": " + ex, ex);
        }
    }

    private void writeChecked(final Path file) throws IOException
    {
        final Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try
        {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
            {
                final FloatSink sink = new FloatSink(channel, BUFFER_BYTES);
                sink.putBytes(ByteBuffer.wrap(header()));
                for (final Pending t : sorted())
                {
                    writeData(sink, t);
                }
                sink.flush();
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        finally
        {
            Files.deleteIfExists(partial);
        }
    }

    private static void writeData(final FloatSink sink, final Pending t) throws IOException
    {
        final long before = sink.bytesWritten();
        if (t.raw() != null)
        {
            // F32Tensor data is little-endian already: copy the bytes, in slices a ByteBuffer can hold.
            final long size = t.raw().byteSize();
            for (long at = 0; at < size; at += BUFFER_BYTES)
            {
                sink.putBytes(t.raw().asSlice(at, Math.min(BUFFER_BYTES, size - at)).asByteBuffer());
            }
        }
        else
        {
            t.content().writeTo(sink);
        }
        final long written = sink.bytesWritten() - before;
        if (written != t.bytes())
        {
            throw new IllegalStateException("tensor " + t.name() + " " + Arrays.toString(t.shape()) + " needs " +
                t.bytes() / Float.BYTES + " values, its content wrote " + written / Float.BYTES);
        }
    }

    private List<Pending> sorted()
    {
        // The reference sorts Rust Strings, which compare by their UTF-8 bytes.
        final List<Pending> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(
            (Pending p) -> p.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        return sorted;
    }

    /** Where a tensor's {@link Content} puts its values; little-endian float32, buffered. */
    public static final class FloatSink
    {
        private final FileChannel channel;
        private final ByteBuffer buffer;
        private long flushed;

        FloatSink(final FileChannel channel, final int bufferBytes)
        {
            this.channel = channel;
            this.buffer = ByteBuffer.allocateDirect(bufferBytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        public void put(final float value) throws IOException
        {
            if (buffer.remaining() < Float.BYTES)
            {
                flush();
            }
            buffer.putFloat(value);
        }

        public void put(final float[] values, final int offset, final int length) throws IOException
        {
            for (int i = offset, end = offset + length; i < end; i++)
            {
                put(values[i]);
            }
        }

        void putBytes(final ByteBuffer bytes) throws IOException
        {
            while (bytes.hasRemaining())
            {
                if (!buffer.hasRemaining())
                {
                    flush();
                }
                final int n = Math.min(buffer.remaining(), bytes.remaining());
                buffer.put(buffer.position(), bytes, bytes.position(), n);
                buffer.position(buffer.position() + n);
                bytes.position(bytes.position() + n);
            }
        }

        long bytesWritten()
        {
            return flushed + buffer.position();
        }

        void flush() throws IOException
        {
            buffer.flip();
            while (buffer.hasRemaining())
            {
                flushed += channel.write(buffer);
            }
            buffer.clear();
        }
    }
}
