package dev.switchyard.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checkpoint reader takes the dtypes checkpoints store and checks the header as SafeTensors does. */
class TypedSafeTensorsTest
{
    @TempDir
    Path dir;

    /** A file of header {@code json} and data {@code data}. */
    private Path write(final String json, final byte[] data) throws IOException
    {
        final byte[] header = json.getBytes(StandardCharsets.UTF_8);
        final Path p = dir.resolve("t.safetensors");
        Files.write(p, ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(header.length).put(header).put(data).array());
        return p;
    }

    @Test
    void readsMixedDtypesAsViews() throws IOException
    {
        // bf16 1.0, -3.0 then f16 1.0: [2] BF16 in bytes [0, 4), [1] F16 in [4, 6).
        final byte[] data = {(byte)0x80, 0x3F, 0x40, (byte)0xC0, 0x00, 0x3C};
        final Path p = write("{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
            "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[4,6]}}", data);
        try (TypedSafeTensors file = TypedSafeTensors.open(p))
        {
            assertEquals(List.of("b", "h"), List.copyOf(file.names()));
            final WeightTensor b = file.tensor("b");
            assertEquals(TensorDtype.BF16, b.dtype());
            assertArrayEquals(new long[] {2}, b.shape());
            assertEquals(-3.0f, b.get(1));
            assertEquals(TensorDtype.F16, file.tensor("h").dtype());
            assertEquals(1.0f, file.tensor("h").get(0));
            assertTrue(b.data().isMapped(), "tensor data must be a view of the mapped file");
        }
    }

    @Test
    void refusesOtherDtypesAndGapsNamingTheTensor() throws IOException
    {
        final Path i32 = write("{\"w\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        final BadInputException dtype = assertThrows(BadInputException.class, () -> TypedSafeTensors.open(i32));
        assertTrue(dtype.getMessage().contains("tensor w has dtype I32; only F32, BF16, F16 and F8_E4M3 are supported"),
            dtype.getMessage());
        final Path gap = write("{\"w\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]}}", new byte[4]);
        final BadInputException hole = assertThrows(BadInputException.class, () -> TypedSafeTensors.open(gap));
        assertTrue(hole.getMessage().contains("data bytes [0, 2) before tensor w belong to no tensor"),
            hole.getMessage());
    }
}
