package dev.switchyard.transformer.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchyard.wire.BadInputException;

/**
 * The {@code .npy} files of {@code generate} and {@code score}: int32 ids [B, L] (int64 is read too, as
 * numpy writes integers by default) and float32 outputs of any rank, C order, little-endian.
 */
public final class TensorFiles
{
    private static final byte[] MAGIC = {(byte)0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** int ids and their 2-D shape. */
    public record Ids(int rows, int cols, int[] data)
    {
    }

    private TensorFiles()
    {
    }

    /**
     * Reads a 2-D int32 (or int64) array.
     *
     * @throws BadInputException naming {@code what} and the file when it is not one
     */
    public static Ids readIds(final String what, final Path file)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new BadInputException(what + " " + file + ": cannot be read (" + ex.getMessage() + ")");
        }
        final ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (final byte b : MAGIC)
        {
            if (buf.remaining() == 0 || buf.get() != b)
            {
                throw new BadInputException(what + " " + file + ": not a .npy file");
            }
        }
        if (buf.remaining() < 4)
        {
            throw new BadInputException(what + " " + file + ": truncated header");
        }
        final int major = buf.get();
        buf.get();
        final int headerLength = major == 1 ? buf.getShort() & 0xFFFF : buf.getInt();
        if (headerLength < 0 || headerLength > buf.remaining())
        {
            throw new BadInputException(what + " " + file + ": truncated header");
        }
        final String header = new String(bytes, buf.position(), headerLength, StandardCharsets.ISO_8859_1);
        buf.position(buf.position() + headerLength);
        final String descr = find(DESCR, header, what, file);
        final int width = switch (descr)
        {
            case "<i4" -> 4;
            case "<i8" -> 8;
            default -> throw new BadInputException(what + " " + file + ": dtype " + descr +
                ", ids must be int32 ('<i4') or int64 ('<i8')");
        };
        if ("True".equals(find(FORTRAN, header, what, file)))
        {
            throw new BadInputException(what + " " + file + ": Fortran order, C order is expected");
        }
        final String[] dims = find(SHAPE, header, what, file).replace(" ", "").split(",");
        if (dims.length < 2 || dims.length > 2 && !dims[2].isEmpty())
        {
            throw new BadInputException(what + " " + file + ": shape (" + String.join(",", dims) +
                ") is not [batch, length]");
        }
        final int rows = Integer.parseInt(dims[0]);
        final int cols = Integer.parseInt(dims[1]);
        final long count = (long)rows * cols;
        if (buf.remaining() != count * width)
        {
            throw new BadInputException(what + " " + file + ": " + buf.remaining() + " bytes of data for shape [" +
                rows + ", " + cols + "]");
        }
        final int[] data = new int[(int)count];
        for (int i = 0; i < data.length; i++)
        {
            if (width == 4)
            {
                data[i] = buf.getInt();
            }
            else
            {
                final long v = buf.getLong();
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
                {
                    throw new BadInputException(what + " " + file + ": id " + v + " at row " + i / cols +
                        ", position " + i % cols + " is outside the vocabulary");
                }
                data[i] = (int)v;
            }
        }
        return new Ids(rows, cols, data);
    }

    public static void writeInts(final Path file, final int[] data, final long... shape)
    {
        final ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asIntBuffer().put(data);
        write(file, "<i4", shape, body.array());
    }

    public static void writeFloats(final Path file, final float[] data, final long... shape)
    {
        final ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        write(file, "<f4", shape, body.array());
    }

    private static void write(final Path file, final String descr, final long[] shape, final byte[] body)
    {
        final StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++)
        {
            dims.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        if (shape.length == 1)
        {
            dims.append(',');
        }
        final StringBuilder dict = new StringBuilder("{'descr': '").append(descr)
            .append("', 'fortran_order': False, 'shape': (").append(dims).append("), }");
        final int prefix = MAGIC.length + 4;
        final int pad = 64 - (prefix + dict.length() + 1) % 64;
        dict.repeat(' ', pad % 64).append('\n');
        final byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuffer out = ByteBuffer.allocate(prefix + text.length + body.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte)1).put((byte)0).putShort((short)text.length).put(text).put(body);
        final Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try
        {
            Files.write(partial, out.array());
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new BadInputException("cannot write " + file + ": " + ex.getMessage());
        }
    }

    private static String find(final Pattern pattern, final String header, final String what, final Path file)
    {
        final Matcher m = pattern.matcher(header);
        if (!m.find())
        {
            throw new BadInputException(what + " " + file + ": header lacks " + pattern.pattern().split("'")[1]);
        }
        return m.group(1);
    }
}
