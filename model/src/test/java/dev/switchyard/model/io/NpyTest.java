package dev.switchyard.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;

import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest
{
    /** numpy.save(np.array([[1.5, -2, 3], [0.1, 1e-8, 7]], np.float32)) data bytes, as numpy wrote them. */
    private static final byte[] NUMPY_DATA_2x3 = HexFormat.of().parseHex("0000c03f000000c000004040cdcccc3d77cc2b320000e040");
    private static final float[] VALUES_2x3 = {1.5f, -2f, 3f, 0.1f, 1e-8f, 7f};

    @TempDir
    Path dir;

    /** magic, version, header length (2 bytes for 1.0, 4 for 2.0/3.0), header, data. */
    private static byte[] npy(final int major, final String header, final byte[] data)
    {
        final byte[] h = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        final ByteBuffer b = ByteBuffer.allocate(12 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte)0x93, 'N', 'U', 'M', 'P', 'Y', (byte)major, 0});
        if (major == 1)
        {
            b.putShort((short)h.length);
        }
        else
        {
            b.putInt(h.length);
        }
        b.put(h).put(data);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] f32(final float... values)
    {
        return SafeTensorsTest.f32(values);
    }

    /** The exact bytes numpy 2.x writes for a float32 (2, 3) array (printed by numpy, then typed in here). */
    private static byte[] numpy2x3()
    {
        final String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n";
        assertEquals(118, header.length());
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("\u0093NUMPY\u0001\u0000v\u0000".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(NUMPY_DATA_2x3);
        return out.toByteArray();
    }

    private Path write(final byte[] bytes) throws IOException
    {
        final Path p = dir.resolve("x.npy");
        Files.write(p, bytes);
        return p;
    }

    private void refused(final byte[] bytes, final String... fragments) throws IOException
    {
        final Path p = write(bytes);
        final BadInputException ex = assertThrows(BadInputException.class, () -> Npy.read(p));
        assertTrue(ex.getMessage().contains(p.toString()), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        for (final String f : fragments)
        {
            assertTrue(ex.getMessage().contains(f), "'" + f + "' not in: " + ex.getMessage());
        }
    }

    private static String header(final String dict)
    {
        return dict + "  \n";
    }

    @Test
    void readsWhatNumpyWrites() throws IOException
    {
        final NpyArray a = Npy.read(write(numpy2x3()));
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(VALUES_2x3, a.data());
        assertEquals(2, a.rows());
        assertEquals(3, a.cols());
        assertEquals(1e-8f, a.get(1, 1));
    }

    @Test
    void writesWhatNumpyWrites() throws IOException
    {
        final Path p = dir.resolve("w.npy");
        Npy.write(p, NpyArray.matrix(2, 3, VALUES_2x3));
        assertArrayEquals(numpy2x3(), Files.readAllBytes(p));
    }

    @Test
    void writesNumpyHeadersForOtherShapes()
    {
        // Header texts numpy 2.x writes (its header length is 118 for all three).
        assertArrayEquals(("\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }" +
                " ".repeat(60) + "\n").getBytes(StandardCharsets.ISO_8859_1),
            Npy.header(new long[] {5}));
        assertArrayEquals(("\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f4', 'fortran_order': False, 'shape': (0, 64), }" +
                " ".repeat(57) + "\n").getBytes(StandardCharsets.ISO_8859_1),
            Npy.header(new long[] {0, 64}));
        assertArrayEquals(("\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f4', 'fortran_order': False, " +
                "'shape': (100000000000, 0), }" + " ".repeat(47) + "\n").getBytes(StandardCharsets.ISO_8859_1),
            Npy.header(new long[] {100_000_000_000L, 0}));
    }

    @Test
    void dataStartsAtAMultipleOf64()
    {
        for (final long[] shape : new long[][] {{1}, {7, 3}, {123456789, 4096}, {Integer.MAX_VALUE, 1}})
        {
            assertEquals(0, Npy.header(shape).length % 64);
        }
    }

    @Test
    void roundTrips1dAnd2dAndEmpty() throws IOException
    {
        final SplittableRandom r = new SplittableRandom(7);
        final float[] big = new float[300_001];
        for (int i = 0; i < big.length; i++)
        {
            big[i] = (float)r.nextGaussian();
        }
        for (final NpyArray a : new NpyArray[] {
            NpyArray.vector(new float[] {1, Float.MIN_VALUE, -0f, Float.NaN}),
            NpyArray.vector(big),
            new NpyArray(new long[] {300_001, 1}, big),
            NpyArray.matrix(0, 8, new float[0])})
        {
            final Path p = dir.resolve("rt.npy");
            Npy.write(p, a);
            assertEquals(a, Npy.read(p));
        }
    }

    @Test
    void readsVersions2And3() throws IOException
    {
        final String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        assertArrayEquals(VALUES_2x3, Npy.read(write(npy(2, header(dict), NUMPY_DATA_2x3))).data());
        assertArrayEquals(VALUES_2x3, Npy.read(write(npy(3, header(dict), NUMPY_DATA_2x3))).data());
    }

    @Test
    void readsLooseButValidHeaders() throws IOException
    {
        // Any key order, double quotes, Python 2 long suffixes, no trailing comma or newline.
        final NpyArray a = Npy.read(write(npy(1, "{\"shape\": (2L, 3L), 'fortran_order': False, 'descr': '<f4'}",
            NUMPY_DATA_2x3)));
        assertArrayEquals(new long[] {2, 3}, a.shape());
        final NpyArray v = Npy.read(write(npy(1, header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"),
            f32(1, 2))));
        assertArrayEquals(new long[] {2}, v.shape());
        assertEquals(1, v.rank());
        assertThrows(IllegalStateException.class, v::cols);
    }

    @Test
    void refusesBadMagic() throws IOException
    {
        refused("not an npy file at all".getBytes(StandardCharsets.US_ASCII), "not a .npy file");
        refused(new byte[] {(byte)0x93, 'N', 'U'}, "truncated");
        refused(new byte[0], "truncated");
    }

    @Test
    void refusesUnknownVersions() throws IOException
    {
        refused(npy(4, header("{}"), new byte[0]), "version 4.0");
        final byte[] v11 = npy(1, header("{}"), new byte[0]);
        v11[7] = 1;
        refused(v11, "version 1.1");
    }

    @Test
    void refusesTruncatedHeader() throws IOException
    {
        final byte[] full = numpy2x3();
        refused(java.util.Arrays.copyOf(full, 50), "truncated header");
        refused(java.util.Arrays.copyOf(full, 9), "truncated header length");
    }

    @Test
    void refusesFortranOrder() throws IOException
    {
        refused(npy(1, header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"), NUMPY_DATA_2x3),
            "Fortran");
    }

    @Test
    void refusesOtherDtypesNamingThem() throws IOException
    {
        refused(npy(1, header("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"), new byte[24]),
            "dtype '<f8'");
        refused(npy(1, header("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }"), new byte[12]),
            "dtype '>f4'");
        refused(npy(1, header("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }"), new byte[12]),
            "dtype '<i4'");
        refused(npy(1, header("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (3,), }"), new byte[12]),
            "dtype [('x', '<f4')]");
    }

    @Test
    void refuses0dAnd3d() throws IOException
    {
        refused(npy(1, header("{'descr': '<f4', 'fortran_order': False, 'shape': (), }"), f32(1)),
            "0-D", "()");
        refused(npy(1, header("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }"), new byte[24]),
            "3-D", "(1, 2, 3)");
    }

    @Test
    void refusesTruncatedAndTrailingData() throws IOException
    {
        final byte[] full = numpy2x3();
        refused(java.util.Arrays.copyOf(full, full.length - 4), "truncated", "(2, 3)", "needs 24 bytes", "has 20");
        refused(java.util.Arrays.copyOf(full, full.length + 4), "4 bytes follow the data");
    }

    @Test
    void refusesMalformedHeaders() throws IOException
    {
        refused(npy(1, header("{'descr': '<f4', 'fortran_order': False}"), new byte[0]), "header keys");
        refused(npy(1, header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}"), f32(1)),
            "header keys");
        refused(npy(1, header("['descr']"), new byte[0]), "not a dictionary");
        refused(npy(1, header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,"), f32(1)), "cannot parse header");
        refused(npy(1, header("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }"), f32(1)),
            "shape [1] is not a tuple");
        refused(npy(1, header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), f32(1)),
            "non-negative");
        refused(npy(1, header("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,), }"), f32(1)),
            "cannot parse header");
        refused(npy(1, header("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }"), f32(1)), "fortran_order 0");
        refused(npy(1, header("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"), f32(1)),
            "appears twice");
        refused(npy(2, "x".repeat(10) , new byte[0]), "cannot parse header");
        final byte[] huge = npy(2, "{}", new byte[0]);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(8, Integer.MAX_VALUE);
        refused(huge, "header length 2147483647");
    }

    @Test
    void refusesMissingFile()
    {
        final Path p = dir.resolve("none.npy");
        final BadInputException ex = assertThrows(BadInputException.class, () -> Npy.read(p));
        assertTrue(ex.getMessage().contains(p.toString()) && ex.getMessage().contains("does not exist"));
        assertThrows(BadInputException.class, () -> Npy.read(dir));
    }

    @Test
    void writeReportsAnUnwritableFile()
    {
        final Path p = dir.resolve("no-such-dir").resolve("y.npy");
        final BadInputException ex = assertThrows(BadInputException.class,
            () -> Npy.write(p, NpyArray.vector(new float[] {1})));
        assertTrue(ex.getMessage().contains(p.toString()), ex.getMessage());
    }

    @Test
    void npyArrayChecksItsShape()
    {
        assertThrows(IllegalArgumentException.class, () -> new NpyArray(new long[] {2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new NpyArray(new long[] {}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> new NpyArray(new long[] {1, 1, 1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> new NpyArray(new long[] {-1}, new float[0]));
        assertEquals("(5,)", NpyArray.vector(new float[5]).shapeString());
        assertEquals(NpyArray.matrix(1, 2, new float[] {1, 2}), NpyArray.matrix(1, 2, new float[] {1, 2}));
    }

    @Test
    void bytesInMemoryReadAsTheFileWouldAndTheSameChecksApply() throws IOException
    {
        final float[] data = {1.5f, -2f, 3.25f, 0f, Float.MIN_VALUE, 7f};
        final byte[] bytes = Npy.bytes(NpyArray.matrix(2, 3, data));
        final Path file = dir.resolve("same.npy");
        Npy.write(file, 2, 3, data);
        assertArrayEquals(Files.readAllBytes(file), bytes, "the bytes numpy.save writes");
        final NpyArray back = Npy.read("request body", bytes);
        assertArrayEquals(new long[] {2, 3}, back.shape());
        assertArrayEquals(data, back.data());

        final byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        final String message = assertThrows(BadInputException.class, () -> Npy.read("request body", truncated))
            .getMessage();
        assertTrue(message.startsWith("npy file request body: truncated"), message);
    }
}
