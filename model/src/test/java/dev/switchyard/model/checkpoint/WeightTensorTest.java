package dev.switchyard.model.checkpoint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact widening of the stored dtypes, and views that copy nothing. */
class WeightTensorTest
{
    @TempDir
    Path dir;

    private static WeightTensor halves(final TensorDtype dtype, final short... bits)
    {
        final MemorySegment seg = Arena.ofAuto().allocate(bits.length * 2L);
        for (int i = 0; i < bits.length; i++)
        {
            seg.setAtIndex(TensorDtype.LE_SHORT, i, bits[i]);
        }
        return new WeightTensor("t", dtype, new long[] {bits.length}, seg);
    }

    @Test
    void bf16WidensByAShiftAndF16AsFloat16ToFloat()
    {
        final WeightTensor bf = halves(TensorDtype.BF16, (short)0x3F80, (short)0xC040, (short)0x0001, (short)0x7F80);
        assertEquals(1.0f, bf.get(0));
        assertEquals(-3.0f, bf.get(1));
        assertEquals(Float.intBitsToFloat(0x00010000), bf.get(2));
        assertEquals(Float.POSITIVE_INFINITY, bf.get(3));
        final WeightTensor h = halves(TensorDtype.F16, (short)0x3C00, (short)0xC200, (short)0x0001, (short)0x7BFF);
        assertEquals(1.0f, h.get(0));
        assertEquals(-3.0f, h.get(1));
        assertEquals(0x1p-24f, h.get(2));
        assertEquals(65504.0f, h.get(3));
        assertEquals(65504.0f, h.toF32().get(3));
    }

    /** Every stored bf16 value of the qwen2_moe checkpoint widens to its bits shifted up by 16. */
    @Test
    void qwen2BfloatWeightsWidenExactly()
    {
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.checkpoint("qwen2_moe")))
        {
            final WeightTensor gate = ckpt.expert(1, 7).gate();
            assertEquals(TensorDtype.BF16, gate.dtype());
            for (long i = 0; i < gate.elementCount(); i++)
            {
                final int bits = gate.data().getAtIndex(TensorDtype.LE_SHORT, i) & 0xFFFF;
                assertEquals(bits << 16, Float.floatToRawIntBits(gate.get(i)));
            }
            final float[] router = ckpt.tensor(ckpt.layer(0).routerWeight()).toF32().toArray();
            assertEquals(8 * 32, router.length);
            assertEquals(ckpt.tensor(ckpt.layer(0).routerWeight()).get(3, 5), router[3 * 32 + 5]);
        }
    }

    @Test
    void qwen3HalfWeightsWidenExactly()
    {
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.checkpoint("qwen3_moe")))
        {
            final WeightTensor up = ckpt.expert(0, 2).in();
            assertEquals(TensorDtype.F16, up.dtype());
            for (long i = 0; i < up.elementCount(); i++)
            {
                final short bits = up.data().getAtIndex(TensorDtype.LE_SHORT, i);
                assertEquals(Float.float16ToFloat(bits), up.get(i));
            }
        }
    }

    @Test
    void slicesShareTheStorage()
    {
        final MemorySegment seg = Arena.ofAuto().allocate(2 * 4 * 3 * 4L);
        for (int i = 0; i < 24; i++)
        {
            seg.setAtIndex(TensorDtype.LE_FLOAT, i, i);
        }
        // [E=2, 2F=4, d=3]
        final WeightTensor fused = new WeightTensor("f", TensorDtype.F32, new long[] {2, 4, 3}, seg);
        final WeightTensor expert1 = fused.index("e1", 1);
        final WeightTensor up = expert1.rows("up", 2, 2);
        assertEquals(2, up.dim(0));
        assertEquals(3, up.dim(1));
        assertEquals(12 + 6 + 3 + 1, up.get(1, 1));
        seg.setAtIndex(TensorDtype.LE_FLOAT, 22, -1f);
        assertEquals(-1f, up.get(1, 1));
        assertTrue(up.data().byteSize() == 2 * 3 * 4);
        assertThrows(IndexOutOfBoundsException.class, () -> fused.index("x", 2));
        assertThrows(IndexOutOfBoundsException.class, () -> expert1.rows("x", 3, 2));
    }
}
