package dev.switchyard.model.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.wire.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DeepSeek-V3's fp8 release format: e4m3 weights and the block scales beside them. */
class Fp8CheckpointTest
{
    private static final String FP8 = "deepseek_v3_fp8";
    private static final String UP = "model.layers.2.mlp.experts.5.up_proj.weight";

    @TempDir
    Path dir;

    /** Every e4m3 value against its float16 spelling (1-5-10: exponent rebiased 7 → 15, mantissa shifted up). */
    @Test
    void everyE4m3ValueWidensExactly()
    {
        final MemorySegment all = MemorySegment.ofArray(new byte[256]);
        for (int b = 0; b < 256; b++)
        {
            all.set(ValueLayout.JAVA_BYTE, b, (byte)b);
        }
        for (int b = 0; b < 256; b++)
        {
            final float v = TensorDtype.F8_E4M3.widen(all, b);
            final int exponent = (b >> 3) & 0xF;
            final int mantissa = b & 7;
            if (exponent == 0xF && mantissa == 7)
            {
                assertTrue(Float.isNaN(v), "0x" + Integer.toHexString(b) + " is NaN");
                continue;
            }
            final float expected = exponent == 0
                ? Math.copySign(mantissa * 0x1p-9f, b >= 0x80 ? -1f : 1f)
                : Float.float16ToFloat((short)((b & 0x80) << 8 | (exponent + 8) << 10 | mantissa << 7));
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(v), "0x" + Integer.toHexString(b));
        }
        assertEquals(448.0f, TensorDtype.F8_E4M3.widen(all, 0x7E));
        assertEquals(1.0f, TensorDtype.F8_E4M3.widen(all, 0x38));
    }

    /** An element is its e4m3 value times its [8, 8] block's scale, one float32 product. */
    @Test
    void expertsAreDequantizedBlockByBlock()
    {
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.checkpoint(FP8)))
        {
            final ExpertTensors e = ckpt.expert(1, 5);
            final WeightTensor up = e.in();
            assertEquals(UP, up.name());
            assertEquals(TensorDtype.F8_E4M3, up.dtype());
            final WeightTensor scales = ckpt.tensor(UP + "_scale_inv");
            assertEquals("[2, 4]", scales.shapeString());
            final float[] widened = up.toF32().toArray();
            for (int r = 0; r < 16; r++)
            {
                for (int c = 0; c < 32; c++)
                {
                    final float q = TensorDtype.F8_E4M3.widen(up.data(), r * 32L + c);
                    assertEquals(q * scales.get(r / 8, c / 8), widened[r * 32 + c]);
                }
            }
            // 3 matrices of 16 x 32 e4m3, each with 2 x 4 float32 scales
            assertEquals(3L * (16 * 32 + 2 * 4 * 4), ckpt.bytesPerExpert(1));
            assertEquals(TensorDtype.F32, ckpt.tensor(ckpt.layer(0).routerWeight()).dtype());
        }
    }

    /** Scales stored as bfloat16 (as some fp8 releases do) widen exactly before the product. */
    @Test
    void bfloat16ScalesWidenBeforeTheProduct()
    {
        // [2, 4] e4m3: 1.0 (0x38), -1.5 (0xBC), 448 (0x7E), 2^-9 (0x01); then 0.5 (0x30) four times
        final MemorySegment q =
            MemorySegment.ofArray(new byte[] {0x38, (byte)0xBC, 0x7E, 0x01, 0x30, 0x30, 0x30, 0x30});
        // [2, 2] bf16 scales: 3.0 (0x4040), 0.1 rounded to bf16 (0x3DCD), 1.0 (0x3F80), -2.0 (0xC000)
        final MemorySegment s = MemorySegment.ofArray(new short[] {0x4040, 0x3DCD, 0x3F80, (short)0xC000});
        final WeightTensor scales = new WeightTensor("w_scale_inv", TensorDtype.BF16, new long[] {2, 2}, s);
        final WeightTensor w = new WeightTensor("w", TensorDtype.F8_E4M3, new long[] {2, 4}, q).withScales(scales);
        final float tenth = Float.intBitsToFloat(0x3DCD << 16);
        assertEquals(3.0f, w.get(0, 0));
        assertEquals(-4.5f, w.get(0, 1));
        assertEquals(448 * tenth, w.get(0, 2));
        assertEquals(0x1p-9f * tenth, w.get(0, 3));
        assertEquals(0.5f, w.get(1, 1));
        assertEquals(-1.0f, w.get(1, 3));
        assertEquals(w.get(0, 2), w.toF32().toArray()[2]);
        assertEquals(8 + 8, w.byteSize());
    }

    @Test
    void anFp8WeightWithoutItsScalesIsNamed()
    {
        copy(name -> !name.equals(UP + "_scale_inv"));
        final BadInputException ex = assertThrows(BadInputException.class, () -> Checkpoint.open(dir).close());
        assertTrue(ex.getMessage().contains(UP) && ex.getMessage().contains("no block scales"), ex.getMessage());
    }

    @Test
    void scalesThatDoNotDivideTheWeightAreNamed()
    {
        copy(name -> true);
        // the same 512 bytes as one column: its 2 x 4 scales cannot split 1 column into 4 blocks
        rewriteShape(UP, 512, 1);
        final BadInputException ex = assertThrows(BadInputException.class, () -> Checkpoint.open(dir).close());
        assertTrue(ex.getMessage().contains(UP) && ex.getMessage().contains("cannot take block scales"),
            ex.getMessage());
    }

    @Test
    void otherQuantizationMethodsAreRefusedByName()
    {
        copy(name -> true);
        Fixtures.copyConfig(FP8, dir,
            c -> ((ObjectNode)c.get("quantization_config")).put("quant_method", "fbgemm_fp8"));
        final BadInputException ex = assertThrows(BadInputException.class, () -> Checkpoint.open(dir).close());
        assertTrue(ex.getMessage().contains("quantization_config") && ex.getMessage().contains("fbgemm_fp8"),
            ex.getMessage());
    }

    /** The fixture's tensors, bytes as stored, those {@code keep} accepts; its config as it is. */
    private void copy(final Predicate<String> keep)
    {
        Fixtures.copyConfig(FP8, dir, c -> { });
        try (TypedSafeTensors file = TypedSafeTensors.open(Fixtures.checkpoint(FP8).resolve("model.safetensors")))
        {
            final ObjectNode header = Fixtures.JSON.createObjectNode();
            final ByteArrayOutputStream data = new ByteArrayOutputStream();
            for (final String name : file.names())
            {
                if (!keep.test(name))
                {
                    continue;
                }
                final WeightTensor t = file.tensor(name);
                final ObjectNode entry = header.putObject(name);
                entry.put("dtype", t.dtype().name());
                final ArrayNode shape = entry.putArray("shape");
                for (final long d : t.shapeCopy())
                {
                    shape.add(d);
                }
                entry.putArray("data_offsets").add(data.size()).add(data.size() + t.data().byteSize());
                data.writeBytes(t.data().toArray(ValueLayout.JAVA_BYTE));
            }
            write(header, data.toByteArray());
        }
    }

    /** Gives tensor {@code name} the shape {@code rows} x {@code cols} (same bytes): a header that lies. */
    private void rewriteShape(final String name, final int rows, final int cols)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
            final long length = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            final ObjectNode header = (ObjectNode)Fixtures.JSON.readTree(new String(bytes, 8, (int)length,
                StandardCharsets.UTF_8));
            final ArrayNode shape = ((ObjectNode)header.get(name)).putArray("shape");
            shape.add(rows).add(cols);
            final byte[] data = java.util.Arrays.copyOfRange(bytes, 8 + (int)length, bytes.length);
            write(header, data);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private void write(final ObjectNode header, final byte[] data)
    {
        final byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        final int padded = (json.length + 7) / 8 * 8;
        final ByteBuffer out = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++)
        {
            out.put((byte)' ');
        }
        out.put(data);
        try
        {
            Files.write(dir.resolve("model.safetensors"), out.array());
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
