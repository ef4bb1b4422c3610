package dev.switchyard.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.switchyard.model.tensor.F32Tensor;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest
{
    @TempDir
    Path dir;

    /** Little-endian float32 bytes, as safetensors stores them. */
    static byte[] f32(final float... values)
    {
        final ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (final float v : values)
        {
            b.putFloat(v);
        }
        return b.array();
    }

    /** A file with header length {@code declaredLength}, header text {@code json}, then {@code data}. */
    static byte[] file(final long declaredLength, final String json, final byte[] data)
    {
        final byte[] header = json.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(declaredLength).put(header).put(data).array();
    }

    static byte[] file(final String json, final byte[] data)
    {
        return file(json.getBytes(StandardCharsets.UTF_8).length, json, data);
    }

    private Path write(final byte[] bytes) throws IOException
    {
        final Path p = dir.resolve("t.safetensors");
        Files.write(p, bytes);
        return p;
    }

    private BadInputException refused(final byte[] bytes, final String... fragments) throws IOException
    {
        final Path p = write(bytes);
        final BadInputException ex = assertThrows(BadInputException.class, () -> SafeTensors.open(p).close());
        assertTrue(ex.getMessage().contains(p.toString()), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        for (final String f : fragments)
        {
            assertTrue(ex.getMessage().contains(f), "'" + f + "' not in: " + ex.getMessage());
        }
        return ex;
    }

    /** The bytes the reference implementation writes for {"attn0": F32 [1, 1, 2, 3] = 0..5}. */
    private static byte[] referenceAttn0()
    {
        // JSON of 65 bytes padded with 7 spaces to 72; the reference's own test expects exactly this.
        final String json = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}" + "       ";
        assertEquals(72, json.length());
        return file(json, f32(0, 1, 2, 3, 4, 5));
    }

    @Test
    void readsTheReferenceLayout() throws IOException
    {
        try (SafeTensors st = SafeTensors.open(write(referenceAttn0())))
        {
            assertEquals(List.of("attn0"), List.copyOf(st.names()));
            final F32Tensor t = st.tensor("attn0");
            assertArrayEquals(new long[] {1, 1, 2, 3}, t.shape());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.toArray());
            assertTrue(t.data().isMapped(), "tensor data must be a view of the mapped file");
            assertTrue(st.metadata().isEmpty());
        }
    }

    @Test
    void writesTheReferenceBytes() throws IOException
    {
        final Path p = dir.resolve("w.safetensors");
        new SafeTensorsWriter().add("attn0", new long[] {1, 1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5}).write(p);
        assertArrayEquals(referenceAttn0(), Files.readAllBytes(p));
    }

    @Test
    void writerSortsNamesPutsMetadataFirstAndPadsToEightBytes() throws IOException
    {
        final Path p = dir.resolve("w.safetensors");
        final SafeTensorsWriter w = new SafeTensorsWriter()
            .add("b", new long[] {2}, new float[] {3, 4})
            .add("a", new long[] {1, 1}, new float[] {7})
            .add("B", new long[] {0}, new float[0])
            .metadata("format", "pt");
        w.write(p);
        final String json = "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"B\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        final int pad = (8 - json.length() % 8) % 8;
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(file(json + " ".repeat(pad), f32(7, 3, 4)));
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(p));
        assertEquals(0, (Files.size(p) - 12) % 8);

        try (SafeTensors st = SafeTensors.open(p))
        {
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertArrayEquals(new float[] {3, 4}, st.tensor("b").toArray());
            assertArrayEquals(new float[] {7}, st.tensor("a").toArray());
            assertEquals(0, st.tensor("B").elementCount());
            assertArrayEquals(new long[] {1, 1}, st.shape("a"));
        }
    }

    @Test
    void writerSortsByUtf8BytesLikeRust() throws IOException
    {
        // In UTF-16 code units U+1F600 (D83D DE00) sorts before U+FF5E; in UTF-8 bytes (F0 9F .. vs EF BD ..),
        // as Rust compares Strings, it sorts after.
        final String bmp = "\uFF5E";
        final String astral = "\uD83D\uDE00";
        final byte[] header = new SafeTensorsWriter()
            .add(astral, new long[] {1}, new float[] {1})
            .add(bmp, new long[] {1}, new float[] {2})
            .header();
        final String text = new String(header, 8, header.length - 8, StandardCharsets.UTF_8);
        assertTrue(text.indexOf(bmp) < text.indexOf(astral), text);
    }

    @Test
    void copiesAMappedTensorAndStreamsContent() throws IOException
    {
        final Path src = write(referenceAttn0());
        final Path out = dir.resolve("copy.safetensors");
        try (SafeTensors st = SafeTensors.open(src))
        {
            new SafeTensorsWriter()
                .add(st.tensor("attn0"))
                .add("ramp", new long[] {3, 2}, sink ->
                {
                    for (int i = 0; i < 6; i++)
                    {
                        sink.put(i * 0.5f);
                    }
                })
                .write(out);
        }
        try (SafeTensors st = SafeTensors.open(out))
        {
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, st.tensor("attn0").toArray());
            assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 2, 2.5f}, st.tensor("ramp").toArray());
        }
    }

    @Test
    void largeTensorSpansSeveralWriteBuffers() throws IOException
    {
        final float[] values = new float[700_000];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = i * 0.25f - 7;
        }
        final Path p = dir.resolve("big.safetensors");
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment seg = arena.allocate((long)values.length * Float.BYTES);
            MemorySegment.copy(values, 0, seg, F32Tensor.LE_FLOAT, 0, values.length);
            new SafeTensorsWriter()
                .add("copy", new long[] {700, 1000}, values)
                .add(new F32Tensor("seg", new long[] {values.length}, seg))
                .write(p);
        }
        try (SafeTensors st = SafeTensors.open(p))
        {
            assertArrayEquals(values, st.tensor("copy").toArray());
            assertArrayEquals(values, st.tensor("seg").toArray());
            assertEquals(values[1234], st.tensor("copy").get(1, 234));
        }
    }

    @Test
    void contentThatWritesTheWrongCountFailsAndLeavesNoFile()
    {
        final Path p = dir.resolve("bad.safetensors");
        final SafeTensorsWriter w = new SafeTensorsWriter().add("x", new long[] {4}, sink -> sink.put(1f));
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> w.write(p));
        assertTrue(ex.getMessage().contains("x"), ex.getMessage());
        assertFalse(Files.exists(p));
        assertFalse(Files.exists(dir.resolve("bad.safetensors.partial")));
    }

    @Test
    void writerRefusesDuplicatesMismatchedDataAndTheMetadataName()
    {
        final SafeTensorsWriter w = new SafeTensorsWriter().add("x", new long[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> w.add("x", new long[] {1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.add("y", new long[] {2}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.add("__metadata__", new long[] {1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.add("z", new long[] {-1}, new float[0]));
    }

    @Test
    void writerReportsAnUnwritableFile()
    {
        final Path p = dir.resolve("missing-dir").resolve("x.safetensors");
        final BadInputException ex = assertThrows(BadInputException.class,
            () -> new SafeTensorsWriter().add("x", new long[] {1}, new float[] {1}).write(p));
        assertTrue(ex.getMessage().contains(p.toString()), ex.getMessage());
    }

    @Test
    void unknownTensorNameIsNamedWithTheFile() throws IOException
    {
        final Path p = write(referenceAttn0());
        try (SafeTensors st = SafeTensors.open(p))
        {
            final BadInputException ex = assertThrows(BadInputException.class, () -> st.tensor("attn1"));
            assertTrue(ex.getMessage().contains("attn1") && ex.getMessage().contains(p.toString()), ex.getMessage());
            assertThrows(BadInputException.class, () -> st.shape("nope"));
            assertFalse(st.contains("attn1"));
        }
    }

    @Test
    void closeUnmapsAndIsIdempotent() throws IOException
    {
        final SafeTensors st = SafeTensors.open(write(referenceAttn0()));
        final F32Tensor t = st.tensor("attn0");
        st.close();
        st.close();
        assertThrows(IllegalStateException.class, () -> t.get(0));
        assertThrows(IllegalStateException.class, () -> st.tensor("attn0"));
    }

    @Test
    void refusesMissingFileAndDirectory()
    {
        final Path missing = dir.resolve("none.safetensors");
        final BadInputException ex = assertThrows(BadInputException.class, () -> SafeTensors.open(missing));
        assertTrue(ex.getMessage().contains(missing.toString()) && ex.getMessage().contains("does not exist"));
        final BadInputException ex2 = assertThrows(BadInputException.class, () -> SafeTensors.open(dir));
        assertTrue(ex2.getMessage().contains("not a regular file"), ex2.getMessage());
    }

    @Test
    void refusesAFileShorterThanTheHeaderLength() throws IOException
    {
        refused(new byte[] {1, 2, 3}, "truncated", "3 bytes");
        refused(new byte[0], "truncated");
    }

    @Test
    void refusesAHeaderLengthBeyondTheFile() throws IOException
    {
        refused(file(500, "{}", new byte[0]), "header length 500", "beyond the end of the file");
        refused(file(-1L, "{}", new byte[0]), "header length 18446744073709551615", "limit");
        refused(file(200_000_000L, "{}", new byte[0]), "limit");
    }

    @Test
    void refusesAHeaderThatIsNotAJsonObject() throws IOException
    {
        refused(file("[1, 2]", new byte[0]), "does not start with '{'");
        refused(file(0, "", new byte[0]), "does not start with '{'");
        refused(file("{\"a\": ", new byte[0]), "not valid JSON");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f32(1, 2)), "not valid JSON", "a");
    }

    @Test
    void refusesEveryDtypeButF32NamingTensorAndDtype() throws IOException
    {
        for (final String dtype : List.of("F16", "BF16", "F64", "I32", "U8", "BOOL"))
        {
            refused(file("{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor w", "dtype " + dtype);
        }
    }

    @Test
    void refusesMalformedEntries() throws IOException
    {
        refused(file("{\"w\":[1]}", new byte[0]), "tensor w", "not an object");
        refused(file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1)), "tensor w", "dtype is missing");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", f32(1)), "tensor w", "shape");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", f32(1)),
            "tensor w", "non-negative");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", f32(1)),
            "tensor w", "non-negative integers");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", f32(1)),
            "tensor w", "data_offsets has 1 values, needs 2");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", f32(1)),
            "tensor w", "unknown header key 'extra'");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", f32(1)),
            "tensor w", "overflows");
        refused(file("{\"__metadata__\":{\"k\":1}}", new byte[0]), "__metadata__.k is not a string");
        refused(file("{\"__metadata__\":[1]}", new byte[0]), "__metadata__ is not an object");
    }

    @Test
    void refusesOffsetsThatDoNotMatchTheShape() throws IOException
    {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[20]),
            "tensor w", "[2, 3]", "needs 24 bytes", "span 20");
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", new byte[8]),
            "tensor w", "end before they begin");
    }

    @Test
    void refusesOffsetsOutOfRange() throws IOException
    {
        refused(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", f32(1)),
            "tensor w", "out of range", "has 4 bytes");
    }

    @Test
    void refusesOverlappingTensors() throws IOException
    {
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", f32(1, 2, 3)),
            "tensor b", "overlap tensor a");
    }

    @Test
    void refusesHolesAndTrailingBytesAsTheReferenceDoes() throws IOException
    {
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f32(1, 2)),
            "[0, 4)", "before tensor a");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1, 2)),
            "4 data bytes after the last tensor");
    }

    @Test
    void acceptsHeaderOrderDifferentFromOffsetOrder() throws IOException
    {
        final Path p = write(file("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  ", f32(1, 2)));
        try (SafeTensors st = SafeTensors.open(p))
        {
            assertEquals(List.of("b", "a"), List.copyOf(st.names()));
            assertEquals(2f, st.tensor("b").get(0));
            assertEquals(1f, st.tensor("a").get(0));
        }
    }
}
