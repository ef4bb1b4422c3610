package dev.switchyard.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The files committed under testdata/: the checkpoints written by transformers and their references. */
public final class TestData
{
    private static final Pattern SHAPE = Pattern.compile("'shape': \\((\\d+), (\\d+)\\)");

    private TestData()
    {
    }

    /** testdata/checkpoints, found by walking up from the working directory (a module's, under Maven). */
    public static Path checkpoints()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null)
        {
            final Path candidate = dir.resolve("testdata").resolve("checkpoints");
            if (Files.isDirectory(candidate))
            {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no testdata/checkpoints above " + Path.of("").toAbsolutePath());
    }

    /** Every value of a little-endian float32 ('&lt;f4') .npy file of any shape, in C order. */
    public static float[] float32(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int major = bytes[6];
        final int headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
        final int start = (major == 1 ? 10 : 12) + headerLen;
        final String header = new String(bytes, 0, start, StandardCharsets.ISO_8859_1);
        if (!header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False"))
        {
            throw new IllegalStateException(file + ": expected <f4 in C order, header " + header);
        }
        final float[] out = new float[(bytes.length - start) / Float.BYTES];
        buf.position(start);
        buf.asFloatBuffer().get(out);
        return out;
    }

    /** A 2-D little-endian int32 ('&lt;i4') .npy file of the given shape. */
    public static int[] int32(final Path file, final int rows, final int cols) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int major = bytes[6];
        final int headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
        final int start = (major == 1 ? 10 : 12) + headerLen;
        final String header = new String(bytes, 0, start, StandardCharsets.ISO_8859_1);
        final Matcher shape = SHAPE.matcher(header);
        if (!header.contains("'descr': '<i4'") || !header.contains("'fortran_order': False") || !shape.find() ||
            Integer.parseInt(shape.group(1)) != rows || Integer.parseInt(shape.group(2)) != cols)
        {
            throw new IllegalStateException(file + ": expected <i4 [" + rows + ", " + cols + "], header " + header);
        }
        final int[] out = new int[rows * cols];
        buf.position(start);
        buf.asIntBuffer().get(out);
        return out;
    }
}
