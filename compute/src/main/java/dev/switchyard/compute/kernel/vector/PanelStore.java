package dev.switchyard.compute.kernel.vector;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import dev.switchyard.compute.kernel.Epilogue;
import jdk.incubator.vector.FloatVector;

import static dev.switchyard.compute.kernel.vector.KernelGeometry.L;
import static dev.switchyard.compute.kernel.vector.KernelGeometry.NR;
import static dev.switchyard.compute.kernel.vector.KernelGeometry.NV;
import static dev.switchyard.compute.kernel.vector.KernelGeometry.S;

/**
 * The store of a finished row of one panel: bias, activation, and the write into the output, called
 * right after the micro-kernel's last k step while its tile is still in L1, so the output (the hidden
 * activations, for an expert's first product) is written once and never read back. Columns past the
 * output's width are masked off.
 */
final class PanelStore
{
    private PanelStore()
    {
    }

    /**
     * @param acc     one finished panel row, acc[accOff + j]              // [NR]
     * @param bias    padded bias or null, bias[biasOff + j]              // [columns per panel]
     * @param y       output row, y[yOff + j] for j < valid               // [valid]
     */
    static void storeRow(
        final Epilogue epilogue,
        final float[] acc, final int accOff,
        final float[] bias, final int biasOff,
        final float[] y, final int yOff, final int valid)
    {
        // One small method per epilogue: a switch over activations inside the vector loop makes one method
        // of them all, and once a node has used several, the JIT no longer inlines every vector operation of
        // it and boxes vectors (thousands of bytes a call).
        switch (epilogue)
        {
            case SWIGLU -> storeGatedRow(acc, accOff, bias, biasOff, y, yOff, valid);
            case NONE -> storeLinearRow(acc, accOff, bias, biasOff, y, yOff, valid);
            case RELU -> storeReluRow(acc, accOff, bias, biasOff, y, yOff, valid);
            case GELU -> storeGeluRow(acc, accOff, bias, biasOff, y, yOff, valid);
            case SILU -> storeSiluRow(acc, accOff, bias, biasOff, y, yOff, valid);
        }
    }

    private static void storeLinearRow(
        final float[] acc, final int accOff, final float[] bias, final int biasOff,
        final float[] y, final int yOff, final int valid)
    {
        for (int col = 0; col < valid && col < NR; col += L)
        {
            store(biased(acc, accOff, bias, biasOff, col), y, yOff + col, col, valid);
        }
    }

    /**
     * {@link Epilogue#NONE}'s row into memory as little-endian float32 from byte {@code yOff}: an answer
     * frame's row, written where it is sent from.
     */
    static void storeLinearRow(
        final float[] acc, final int accOff, final float[] bias, final int biasOff,
        final MemorySegment y, final long yOff, final int valid)
    {
        for (int col = 0; col < valid && col < NR; col += L)
        {
            final FloatVector h = biased(acc, accOff, bias, biasOff, col);
            final long at = yOff + (long)col * Float.BYTES;
            if (col + L <= valid)
            {
                h.intoMemorySegment(y, at, ByteOrder.LITTLE_ENDIAN);
            }
            else
            {
                h.intoMemorySegment(y, at, ByteOrder.LITTLE_ENDIAN, S.indexInRange(col, valid));
            }
        }
    }

    private static void storeReluRow(
        final float[] acc, final int accOff, final float[] bias, final int biasOff,
        final float[] y, final int yOff, final int valid)
    {
        for (int col = 0; col < valid && col < NR; col += L)
        {
            store(VectorActivations.relu(biased(acc, accOff, bias, biasOff, col)), y, yOff + col, col, valid);
        }
    }

    private static void storeGeluRow(
        final float[] acc, final int accOff, final float[] bias, final int biasOff,
        final float[] y, final int yOff, final int valid)
    {
        for (int col = 0; col < valid && col < NR; col += L)
        {
            store(VectorActivations.gelu(biased(acc, accOff, bias, biasOff, col)), y, yOff + col, col, valid);
        }
    }

    private static void storeSiluRow(
        final float[] acc, final int accOff, final float[] bias, final int biasOff,
        final float[] y, final int yOff, final int valid)
    {
        for (int col = 0; col < valid && col < NR; col += L)
        {
            store(VectorActivations.silu(biased(acc, accOff, bias, biasOff, col)), y, yOff + col, col, valid);
        }
    }

    /** acc[accOff + col, + L) + bias[biasOff + col, + L), or the sums alone without a bias. */
    private static FloatVector biased(
        final float[] acc, final int accOff, final float[] bias, final int biasOff, final int col)
    {
        final FloatVector h = FloatVector.fromArray(S, acc, accOff + col);
        return bias == null ? h : h.add(FloatVector.fromArray(S, bias, biasOff + col));
    }

    /** Lanes [0, NR/2) of the row are gate sums, lanes [NR/2, NR) the up sums of the same columns. */
    private static void storeGatedRow(
        final float[] acc, final int accOff,
        final float[] bias, final int biasOff,
        final float[] y, final int yOff, final int valid)
    {
        for (int v = 0; v < NV / 2; v++)
        {
            final int col = v * L;
            if (col >= valid)
            {
                return;
            }
            final FloatVector gate = FloatVector.fromArray(S, acc, accOff + col);
            FloatVector up = FloatVector.fromArray(S, acc, accOff + NR / 2 + col);
            if (bias != null)
            {
                up = up.add(FloatVector.fromArray(S, bias, biasOff + col));
            }
            store(VectorActivations.silu(gate).mul(up), y, yOff + col, col, valid);
        }
    }

    private static void store(final FloatVector h, final float[] y, final int yOff, final int col, final int valid)
    {
        if (col + L <= valid)
        {
            h.intoArray(y, yOff);
        }
        else
        {
            h.intoArray(y, yOff, S.indexInRange(col, valid));
        }
    }
}
