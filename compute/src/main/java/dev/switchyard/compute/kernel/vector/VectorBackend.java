package dev.switchyard.compute.kernel.vector;

import java.lang.foreign.MemorySegment;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.kernel.LinearShapes;
import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.checkpoint.WeightTensor;
import dev.switchyard.model.tensor.F32Tensor;

import static dev.switchyard.compute.kernel.vector.KernelGeometry.NR;

/**
 * The Vector API backend: packed panels, register-blocked FMA micro-kernels, blocking for k (KC steps of a
 * panel stay in L1/L2 while every row block of the chunk passes over them) and for n (one panel at a time,
 * its partial sums for MC rows in a per-thread buffer), bias and activation on the store.
 * <p>
 * Loop nest of one call, per thread, for its share of the panels:
 * <pre>
 * for each chunk of MC rows
 *   for each panel p (NR output columns)
 *     for each k block [k0, k0 + KC)          (bf16: the kernel widens each weight vector it loads;
 *                                              fp8: blocks end at scale blocks, and from 8 rows the
 *                                              slice is widened and scaled once, then float32 kernels run)
 *       for each row block of R ≤ MR rows     micro-kernel: acc[R, NR] (+)= x[R, kc] · panel[kc, NR]
 *                                              (f32: the first block is one row, which streams
 *                                              the slice in for the others)
 *         last k block: store the R rows      bias + activation, masked past the last column
 * </pre>
 * Threads split the panels (the n dimension), never k, so each output element is summed over k in the
 * same order whatever the threads, rows or block: outputs are bit-identical row by row.
 */
public final class VectorBackend implements ComputeBackend
{
    /**
     * k steps per block: a panel slice of KC × NR floats (128 KiB at AVX-512) stays in L2 while every row
     * block of the chunk reads it; larger blocks mean fewer trips of the partial sums through L1.
     */
    public static final int DEFAULT_KC = 512;
    /**
     * Rows per chunk: bounds the per-thread partial sums to MC × NR floats (64 KiB at AVX-512); as large as
     * an expert network's row block, so that one block passes over the weights once.
     */
    public static final int DEFAULT_MC = 256;

    private final ComputePool pool;
    private final int kc;
    private final int mc;
    private final ThreadLocal<PanelScratch> scratch;

    public VectorBackend(final ComputePool pool)
    {
        this(pool, DEFAULT_KC, DEFAULT_MC);
    }

    /**
     * Blocking given explicitly: tests use small blocks to cover every blocking edge on small shapes.
     *
     * @param kc k steps per block
     * @param mc rows per chunk
     */
    public VectorBackend(final ComputePool pool, final int kc, final int mc)
    {
        if (kc < 1 || mc < 1)
        {
            throw new IllegalArgumentException("blocking must be positive, got kc=" + kc + " mc=" + mc);
        }
        this.pool = pool;
        this.kc = kc;
        this.mc = mc;
        this.scratch = ThreadLocal.withInitial(() -> new PanelScratch(mc * NR, kc * NR, new PanelTask(this)));
    }

    /** The vector shape and kernel chosen for this machine, for logs and benchmark reports. */
    public static String geometry()
    {
        return KernelGeometry.describe();
    }

    @Override
    public String name()
    {
        return "vector";
    }

    public ComputePool pool()
    {
        return pool;
    }

    @Override
    public PackedLinear pack(final F32Tensor weight, final F32Tensor biasOrNull, final WeightFormat format)
    {
        return PanelPacker.pack(weight, biasOrNull, format);
    }

    @Override
    public PackedLinear packGated(
        final F32Tensor gate, final F32Tensor up, final F32Tensor upBiasOrNull, final WeightFormat format)
    {
        return PanelPacker.packGated(gate, up, upBiasOrNull, format);
    }

    /** Keeps an fp8 checkpoint's bytes: e4m3 panels and their scales (see {@link ScaledPanelPacker}). */
    @Override
    public PackedLinear packBlockScaled(final WeightTensor weight, final F32Tensor biasOrNull)
    {
        if (!ScaledPanelPacker.packable(weight))
        {
            return ComputeBackend.super.packBlockScaled(weight, biasOrNull);
        }
        final int n = (int)weight.dim(0);
        LinearShapes.requireBias(biasOrNull, n);
        return ScaledPanelPacker.pack(weight, PanelPacker.paddedBias(biasOrNull, (n + NR - 1) / NR * NR));
    }

    @Override
    public PackedLinear packGatedBlockScaled(final WeightTensor gate, final WeightTensor up,
        final F32Tensor upBiasOrNull)
    {
        // One panel's gate and up lanes share the kernel's k steps: their scale blocks must agree in k.
        if (!ScaledPanelPacker.packable(gate) || !ScaledPanelPacker.packable(up) ||
            ScaledPanelPacker.blockK(gate) != ScaledPanelPacker.blockK(up) ||
            gate.dim(0) != up.dim(0) || gate.dim(1) != up.dim(1))
        {
            return ComputeBackend.super.packGatedBlockScaled(gate, up, upBiasOrNull);
        }
        final int n = (int)up.dim(0);
        LinearShapes.requireBias(upBiasOrNull, n);
        final int half = NR / 2;
        return ScaledPanelPacker.packGated(gate, up,
            PanelPacker.paddedBias(upBiasOrNull, (n + half - 1) / half * half));
    }

    @Override
    public void linear(
        final PackedLinear weights, final Epilogue epilogue,
        final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset)
    {
        final VectorPackedLinear w = LinearShapes.requireOwn(VectorPackedLinear.class, weights, epilogue);
        LinearShapes.requireBlock(x, xOffset, rows, w.inFeatures(), y, yOffset, w.outFeatures());
        run(w, epilogue, x, xOffset, rows, y, yOffset, null, 0);
    }

    @Override
    public boolean writesMemory()
    {
        return true;
    }

    @Override
    public void linearInto(
        final PackedLinear weights, final float[] x, final int xOffset, final int rows, final MemorySegment y,
        final long yOffset)
    {
        final VectorPackedLinear w = LinearShapes.requireOwn(VectorPackedLinear.class, weights, Epilogue.NONE);
        LinearShapes.requireBlock(x, xOffset, rows, w.inFeatures(), y, yOffset, w.outFeatures());
        run(w, Epilogue.NONE, x, xOffset, rows, null, 0, y, yOffset);
    }

    /** One call, its output in y or (when y is null) in memory, on this thread or split over the pool's. */
    private void run(
        final VectorPackedLinear w, final Epilogue epilogue, final float[] x, final int xOffset, final int rows,
        final float[] y, final int yOffset, final MemorySegment yMemory, final long yMemoryOffset)
    {
        if (rows == 0)
        {
            return;
        }
        final long multiplyAdds = (long)rows * w.inFeatures() * w.panels() * NR;
        final int threads = pool.threadsFor(multiplyAdds);
        final PanelScratch own = scratch.get();
        if (threads == 1 || w.panels() == 1)
        {
            computePanels(w, epilogue, x, xOffset, rows, y, yOffset, yMemory, yMemoryOffset, 0, w.panels(), own);
            return;
        }
        // One panel per chunk: threads claim panels as they go, so a thread slowed down by another
        // process (or woken late) leaves at most one panel's work for the others to wait on.
        final PanelTask task = own.task;
        final int chunks = w.panels();
        task.set(w, epilogue, x, xOffset, rows, y, yOffset, chunks);
        if (y == null)
        {
            task.setOutput(yMemory, yMemoryOffset);
        }
        try
        {
            pool.run(task, chunks);
        }
        finally
        {
            task.clear();
        }
    }

    /** The calling thread's buffers. */
    PanelScratch scratch()
    {
        return scratch.get();
    }

    /** Panels [firstPanel, endPanel) of one call, on the calling thread. */
    void computePanels(
        final VectorPackedLinear w, final Epilogue epilogue,
        final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset,
        final MemorySegment yMemory, final long yMemoryOffset, final int firstPanel, final int endPanel,
        final PanelScratch s)
    {
        final int k = w.inFeatures();
        final int n = w.outFeatures();
        final int perPanel = w.columnsPerPanel();
        final WeightFormat format = w.format();
        final int bytesPerWeight = switch (format)
        {
            case F32 -> Float.BYTES;
            case BF16 -> Short.BYTES;
            case FP8 -> Byte.BYTES;
        };
        final float[] acc = s.acc; // [mc, NR]
        for (int r0 = 0; r0 < rows; r0 += mc)
        {
            final int chunkRows = Math.min(mc, rows - r0);
            for (int p = firstPanel; p < endPanel; p++)
            {
                final int col0 = p * perPanel;
                final int valid = Math.min(perPanel, n - col0);
                int steps;
                for (int k0 = 0; k0 < k; k0 += steps)
                {
                    // fp8: a block of k steps never crosses a scale block, so one scale vector per lane group holds
                    steps = format == WeightFormat.FP8 ? Math.min(kc, w.scaleBlock() - k0 % w.scaleBlock()) : kc;
                    steps = Math.min(steps, k - k0);
                    final boolean last = k0 + steps == k;
                    // [kc, NR] slice of panel p at step k0
                    final long panelOff = ((long)p * k + k0) * NR * bytesPerWeight;
                    final boolean widened = format == WeightFormat.FP8 && chunkRows >= Fp8Slices.WIDEN_FIRST_ROWS;
                    if (widened)
                    {
                        Fp8Slices.widen(w.packed(), panelOff, w.scales(), scaleOffset(w, p, k0), steps, s.slice());
                    }
                    int i = 0;
                    while (i < chunkRows)
                    {
                        final int xRow = xOffset + (r0 + i) * k + k0;
                        final int done = widened ?
                            MicroKernels.run(chunkRows - i, x, xRow, k, s.slice(), 0, steps, acc, i * NR, k0 > 0) :
                            runPanel(w, p, k0, panelOff, steps, rowsOfBlock(format, i, chunkRows), x, xRow, acc,
                                i * NR);
                        if (last)
                        {
                            for (int r = i; r < i + done; r++)
                            {
                                final int yAt = (r0 + r) * n + col0;  // y[r0 + r, col0]
                                if (y != null)
                                {
                                    PanelStore.storeRow(epilogue, acc, r * NR, w.paddedBias(), col0, y, yOffset + yAt,
                                        valid);
                                }
                                else
                                {
                                    PanelStore.storeLinearRow(acc, r * NR, w.paddedBias(), col0, yMemory,
                                        yMemoryOffset + (long)yAt * Float.BYTES, valid);
                                }
                            }
                        }
                        i += done;
                    }
                }
            }
        }
    }

    /**
     * Rows the next micro-kernel call may take at row i of a chunk. A chunk of float32 rows runs its first
     * row alone over each panel slice, then the others. The one-row kernel issues 4 FMAs for each 256 bytes
     * of weights, the six-row kernel 24: the CPU's out-of-order window, full of FMAs, then holds few of the
     * slice's cache misses at a time, so one row brings the slice in from memory about twice as fast, and
     * the other rows read it from L2. Over weights too large to stay cached that runs blocks of 4 to 16 rows
     * 10-30% faster, of 64 rows 4-11%, and no slower from 256 (README, "Serving a language model"). bf16 and
     * fp8 kernels read a half and a quarter of the bytes, with more work per byte, and were no faster or
     * slower so.
     */
    private static int rowsOfBlock(final WeightFormat format, final int i, final int chunkRows)
    {
        return i == 0 && format == WeightFormat.F32 ? 1 : chunkRows - i;
    }

    /**
     * The micro-kernels of the panel's format over its slice [k0, k0 + steps), which starts at byte
     * {@code panelOff}; returns the rows done.
     */
    private static int runPanel(final VectorPackedLinear w, final int p, final int k0, final long panelOff,
        final int steps, final int rows, final float[] x, final int xRow, final float[] acc, final int accOff)
    {
        final int k = w.inFeatures();
        final boolean accumulate = k0 > 0;
        return switch (w.format())
        {
            case F32 -> MicroKernels.run(rows, x, xRow, k, w.packed(), panelOff, steps, acc, accOff, accumulate);
            case BF16 -> MicroKernels.runBf16(rows, x, xRow, k, w.packed(), panelOff, steps, acc, accOff, accumulate);
            case FP8 -> MicroKernels.runFp8(rows, x, xRow, k, w.packed(), panelOff, w.scales(), scaleOffset(w, p, k0),
                steps, acc, accOff, accumulate);
        };
    }

    /** Byte offset of panel p's scales for the k block holding step k0 (fp8). */
    private static long scaleOffset(final VectorPackedLinear w, final int p, final int k0)
    {
        final int blocks = w.inFeatures() / w.scaleBlock();
        return ((long)p * blocks + k0 / w.scaleBlock()) * NR * Float.BYTES;
    }
}
