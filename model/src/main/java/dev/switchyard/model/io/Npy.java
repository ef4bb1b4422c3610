package dev.switchyard.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.switchyard.wire.BadInputException;

/**
 * Reads and writes {@code .npy} files of float32 little-endian ({@code '<f4'}) arrays in C order,
 * 1-D or 2-D. Reads format versions 1.0, 2.0 and 3.0; writes 1.0 with the header numpy writes
 * (spare room for the first axis to grow, padded so that the data starts at a multiple of 64 bytes).
 */
public final class Npy
{
    static final byte[] MAGIC = {(byte)0x93, 'N', 'U', 'M', 'P', 'Y'};
    static final int ARRAY_ALIGN = 64;
    /** numpy leaves room in the header for the growth axis to reach this many digits. */
    static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Far above any real float32 header; stops a corrupt length from allocating gigabytes. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    static final String DESCR_F32 = "<f4";

    private static final int CHUNK_BYTES = 1 << 20;
    private static final Set<String> HEADER_KEYS = Set.of("descr", "fortran_order", "shape");

    private Npy()
    {
    }

    /**
     * Reads a 1-D or 2-D float32 {@code .npy} file into the heap.
     *
     * @throws BadInputException naming the file and what is wrong with it
     */
    public static NpyArray read(final Path file)
    {
        if (!Files.exists(file))
        {
            throw new BadInputException("npy file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file))
        {
            throw new BadInputException("npy file " + file + " is not a regular file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return read(file, channel);
        }
        catch (final NoSuchFileException ex)
        {
            throw new BadInputException("npy file " + file + " does not exist", ex);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read npy file " + file + ": " + ex, ex);
        }
    }

    private static NpyArray read(final Path file, final SeekableByteChannel channel) throws IOException
    {
        final long size = channel.size();
        final ByteBuffer prefix = readFully(file, channel, MAGIC.length + 2, "magic string");
        for (final byte b : MAGIC)
        {
            if (prefix.get() != b)
            {
                throw bad(file, "not a .npy file (it does not start with \\x93NUMPY)");
            }
        }
        final int major = prefix.get() & 0xFF;
        final int minor = prefix.get() & 0xFF;
        final long headerLength;
        if (major == 1 && minor == 0)
        {
            headerLength = readFully(file, channel, 2, "header length").getShort() & 0xFFFF;
        }
        else if ((major == 2 || major == 3) && minor == 0)
        {
            headerLength = readFully(file, channel, 4, "header length").getInt() & 0xFFFF_FFFFL;
        }
        else
        {
            throw bad(file, "unsupported .npy format version " + major + "." + minor + " (1.0, 2.0 and 3.0 are)");
        }
        if (headerLength > MAX_HEADER_BYTES)
        {
            throw bad(file, "header length " + headerLength + " is beyond the " + MAX_HEADER_BYTES + "-byte limit");
        }
        final ByteBuffer headerBytes = readFully(file, channel, (int)headerLength, "header");
        // numpy reads 1.0 and 2.0 headers as latin-1, 3.0 headers as UTF-8.
        final String header = new String(headerBytes.array(), 0, (int)headerLength,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        final long[] shape = parseHeader(file, header);

        long count = 1;
        for (final long d : shape)
        {
            count = Math.multiplyExact(count, d);
        }
        final long dataBytes = size - channel.position();
        if (dataBytes < count * Float.BYTES)
        {
            throw bad(file, "truncated: shape " + pythonShape(shape) + " needs " + count * Float.BYTES +
                " bytes of data, the file has " + dataBytes);
        }
        if (dataBytes > count * Float.BYTES)
        {
            throw bad(file, (dataBytes - count * Float.BYTES) + " bytes follow the data of shape " +
                pythonShape(shape));
        }
        if (count > Integer.MAX_VALUE - 8)
        {
            throw bad(file, "shape " + pythonShape(shape) + " has " + count + " values, more than one array can hold");
        }
        final float[] data = new float[(int)count];
        final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int filled = 0;
        while (filled < data.length)
        {
            final int floats = Math.min(data.length - filled, CHUNK_BYTES / Float.BYTES);
            chunk.clear().limit(floats * Float.BYTES);
            fill(file, channel, chunk, "data");
            chunk.flip();
            chunk.asFloatBuffer().get(data, filled, floats);
            filled += floats;
        }
        return new NpyArray(shape, data);
    }

    private static long[] parseHeader(final Path file, final String header)
    {
        final Object parsed;
        try
        {
            parsed = PyLiteral.parse(header);
        }
        catch (final PyLiteral.SyntaxException ex)
        {
            throw bad(file, "cannot parse header: " + ex.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> dict))
        {
            throw bad(file, "header is not a dictionary");
        }
        if (!dict.keySet().equals(HEADER_KEYS))
        {
            throw bad(file, "header keys " + PyLiteral.repr(List.copyOf(dict.keySet())) +
                " are not exactly 'descr', 'fortran_order', 'shape'");
        }
        final Object descr = dict.get("descr");
        if (!DESCR_F32.equals(descr))
        {
            throw bad(file, "dtype " + PyLiteral.repr(descr) + " is not supported, only float32 little-endian '<f4'");
        }
        final Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean fortranOrder))
        {
            throw bad(file, "fortran_order " + PyLiteral.repr(fortran) + " is not True or False");
        }
        if (fortranOrder)
        {
            throw bad(file, "Fortran-order arrays are not supported, save it in C order (np.ascontiguousarray)");
        }
        if (!(dict.get("shape") instanceof PyLiteral.Tuple(List<Object> dims)))
        {
            throw bad(file, "shape " + PyLiteral.repr(dict.get("shape")) + " is not a tuple");
        }
        final long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++)
        {
            if (!(dims.get(i) instanceof Long d) || d < 0)
            {
                throw bad(file, "shape " + PyLiteral.repr(dict.get("shape")) + " is not a tuple of non-negative ints");
            }
            shape[i] = d;
        }
        if (shape.length != 1 && shape.length != 2)
        {
            throw bad(file, shape.length + "-D shape " + pythonShape(shape) +
                " is not supported, only 1-D and 2-D arrays");
        }
        try
        {
            long count = Float.BYTES;
            for (final long d : shape)
            {
                count = Math.multiplyExact(count, d);
            }
        }
        catch (final ArithmeticException ex)
        {
            throw bad(file, "shape " + pythonShape(shape) + " is too large");
        }
        return shape;
    }

    private static ByteBuffer readFully(
        final Path file, final SeekableByteChannel channel, final int bytes, final String what)
        throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill(file, channel, buffer, what);
        return buffer.flip();
    }

    private static void fill(
        final Path file, final SeekableByteChannel channel, final ByteBuffer buffer, final String what)
        throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw bad(file, "truncated " + what + " (the file has " + channel.size() + " bytes)");
            }
        }
    }

    /**
     * Writes {@code array} as a version 1.0 {@code .npy} file, as {@code numpy.save} does.
     *
     * @throws BadInputException naming the file when it cannot be written
     */
    public static void write(final Path file, final NpyArray array)
    {
        final Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try
        {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
            {
                writeAll(channel, ByteBuffer.wrap(header(array.shape())));
                final float[] data = array.data();
                final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int at = 0; at < data.length; )
                {
                    final int floats = Math.min(data.length - at, CHUNK_BYTES / Float.BYTES);
                    chunk.clear();
                    chunk.asFloatBuffer().put(data, at, floats);
                    chunk.limit(floats * Float.BYTES);
                    writeAll(channel, chunk);
                    at += floats;
                }
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot write npy file " + file + ": " + ex, ex);
        }
        finally
        {
            try
            {
                Files.deleteIfExists(partial);
            }
            catch (final IOException ignored)
            {
                // The write error, if any, is the one worth reporting.
            }
        }
    }

    /**
     * Reads a 1-D or 2-D float32 {@code .npy} held in memory (a request body, say) with the checks of
     * {@link #read(Path)}; {@code name} names it in errors.
     */
    public static NpyArray read(final String name, final byte[] bytes)
    {
        try
        {
            return read(Path.of(name), new ByteArrayChannel(bytes));
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot read npy " + name + ": " + ex, ex);
        }
    }

    /** {@code array} as the bytes of a version 1.0 {@code .npy} file. */
    public static byte[] bytes(final NpyArray array)
    {
        final byte[] header = header(array.shape());
        final ByteBuffer out = ByteBuffer.allocate(header.length + array.data().length * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
        out.put(header).asFloatBuffer().put(array.data());
        return out.array();
    }

    /** Writes a [rows, cols] float32 array. */
    public static void write(final Path file, final int rows, final int cols, final float[] data)
    {
        write(file, NpyArray.matrix(rows, cols, data));
    }

    /** The magic, version 1.0, header length and header numpy writes for a float32 C-order {@code shape}. */
    static byte[] header(final long[] shape)
    {
        final StringBuilder dict = new StringBuilder("{'descr': '").append(DESCR_F32)
            .append("', 'fortran_order': False, 'shape': ").append(pythonShape(shape)).append(", }");
        if (shape.length > 0)
        {
            dict.repeat(' ', GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length());
        }
        final int prefix = MAGIC.length + 2 + 2;
        final int withNewline = dict.length() + 1;
        final int pad = ARRAY_ALIGN - (prefix + withNewline) % ARRAY_ALIGN;
        dict.repeat(' ', pad).append('\n');
        final byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuffer out = ByteBuffer.allocate(prefix + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte)1).put((byte)0).putShort((short)text.length).put(text);
        return out.array();
    }

    /** A shape as Python prints a tuple: {@code (2, 3)}, {@code (5,)}, {@code ()}. */
    static String pythonShape(final long[] shape)
    {
        if (shape.length == 1)
        {
            return "(" + shape[0] + ",)";
        }
        final StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    private static void writeAll(final FileChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    private static BadInputException bad(final Path file, final String what)
    {
        return new BadInputException("npy file " + file + ": " + what);
    }
}
