package dev.switchyard.model.checkpoint;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Set;

import dev.switchyard.model.io.SafeTensorsHeader;
import dev.switchyard.wire.BadInputException;

/**
 * One {@code .safetensors} file of F32, BF16 or F16 tensors, memory-mapped in a shared arena:
 * tensors are views of the mapping, never read into the heap, valid until {@link #close()}.
 * The header is checked by {@link SafeTensorsHeader}, as for Switchyard's own files; only the
 * accepted dtypes differ.
 */
final class TypedSafeTensors implements Closeable
{
    private final Arena arena;
    private final SafeTensorsHeader header;

    private TypedSafeTensors(final Arena arena, final SafeTensorsHeader header)
    {
        this.arena = arena;
        this.header = header;
    }

    /** Maps {@code file} and checks its header; throws {@link BadInputException} naming what is wrong. */
    static TypedSafeTensors open(final Path file)
    {
        return SafeTensorsHeader.open(file, TensorDtype.headerWidths(), TypedSafeTensors::new);
    }

    Path path()
    {
        return header.file();
    }

    Set<String> names()
    {
        return header.entries().keySet();
    }

    boolean contains(final String name)
    {
        return header.entries().containsKey(name);
    }

    /** A view of tensor {@code name}; throws {@link BadInputException} when the file has none. */
    WeightTensor tensor(final String name)
    {
        final SafeTensorsHeader.Entry e = header.entry(name);
        return new WeightTensor(name, TensorDtype.fromHeader(e.dtype()), e.shapeCopy(), e.slice(header.data()));
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
