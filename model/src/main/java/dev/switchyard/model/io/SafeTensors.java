package dev.switchyard.model.io;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.SequencedMap;
import java.util.SequencedSet;

import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;

/**
 * A {@code .safetensors} file of float32 tensors, memory-mapped: tensors are views of the mapping,
 * valid until {@link #close()}. The mapping belongs to a shared arena, so views may be read from
 * any thread. The header is checked by {@link SafeTensorsHeader}; a tensor of any dtype but F32 is
 * refused, naming it.
 */
public final class SafeTensors implements Closeable
{
    /** The reference implementation refuses larger headers; so do we, before parsing anything. */
    public static final long MAX_HEADER_BYTES = SafeTensorsHeader.MAX_HEADER_BYTES;
    public static final String METADATA_KEY = SafeTensorsHeader.METADATA_KEY;
    public static final String DTYPE_F32 = "F32";

    private static final SequencedMap<String, Integer> ONLY_F32 =
        Collections.unmodifiableSequencedMap(new LinkedHashMap<>(Map.of(DTYPE_F32, Float.BYTES)));

    private final Arena arena;
    private final SafeTensorsHeader header;
    private final SequencedSet<String> names;
    private boolean closed;

    private SafeTensors(final Arena arena, final SafeTensorsHeader header)
    {
        this.arena = arena;
        this.header = header;
        this.names = Collections.unmodifiableSequencedSet(new LinkedHashSet<>(header.entries().keySet()));
    }

    /**
     * Maps {@code file} and validates its header.
     *
     * @throws BadInputException naming the file and what is wrong with it
     */
    public static SafeTensors open(final Path file)
    {
        return SafeTensorsHeader.open(file, ONLY_F32, (arena, header) -> new SafeTensors(arena, header));
    }

    public Path path()
    {
        return header.file();
    }

    /** Tensor names in header order. */
    public SequencedSet<String> names()
    {
        return names;
    }

    public boolean contains(final String name)
    {
        return header.entries().containsKey(name);
    }

    /** The {@code __metadata__} map, empty when the file has none. */
    public Map<String, String> metadata()
    {
        return header.metadata();
    }

    /** A copy of the shape of {@code name}. */
    public long[] shape(final String name)
    {
        return entry(name).shapeCopy();
    }

    /**
     * A view of tensor {@code name}; no data is copied.
     *
     * @throws BadInputException naming the tensor and the file when there is no such tensor
     */
    public F32Tensor tensor(final String name)
    {
        final SafeTensorsHeader.Entry e = entry(name);
        return new F32Tensor(name, e.shapeCopy(), e.slice(header.data()));
    }

    private SafeTensorsHeader.Entry entry(final String name)
    {
        if (closed)
        {
            throw new IllegalStateException("safetensors file " + header.file() + " is closed");
        }
        return header.entry(name);
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
