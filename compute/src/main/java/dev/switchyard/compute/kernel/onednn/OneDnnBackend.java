package dev.switchyard.compute.kernel.onednn;

import java.lang.foreign.MemorySegment;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.ComputePool;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.kernel.LinearCallTask;
import dev.switchyard.compute.kernel.LinearShapes;
import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.tensor.F32Tensor;

/**
 * The native backend: oneDNN's matmul primitive, called through the FFM API, on the CPU's matrix units
 * where it has them (AMX tiles, AVX-512 BF16 dot products). bf16 weights make bf16 products: the input
 * rows are rounded to bfloat16 too, and sums are float32. f32 weights make f32 products.
 * <p>
 * The backend contract holds: every block size of a weight set runs one oneDNN kernel over one packed copy
 * of the weights ({@link OneDnnKernels}), so a row's sums run over k in one order, whatever rows share its
 * block; oneDNN runs one thread per call, and the pool splits a large call's rows, never k.
 */
public final class OneDnnBackend implements ComputeBackend
{
    public static final String NAME = "native";

    private final OneDnnLibrary library;
    private final OneDnnPacker packer;
    private final ComputePool pool;
    private final ThreadLocal<OneDnnCall> calls;
    private final ThreadLocal<RowsTask> tasks;

    /** @throws IllegalStateException naming why, where oneDNN did not load */
    public OneDnnBackend(final ComputePool pool)
    {
        this.library = OneDnnLibrary.get();
        this.packer = new OneDnnPacker(library);
        this.pool = pool;
        this.calls = ThreadLocal.withInitial(() -> new OneDnnCall(library));
        this.tasks = ThreadLocal.withInitial(() -> new RowsTask(this));
    }

    @Override
    public String name()
    {
        return NAME;
    }

    /** oneDNN's version and the kernel its products of the given format run on, for logs and reports. */
    public String describe(final WeightFormat format)
    {
        final F32Tensor probe = new F32Tensor("probe", new long[] {64, 64},
            MemorySegment.ofArray(new float[64 * 64]));
        return "oneDNN " + library.version() + ", " + packer.pack(probe, null, format).implementation();
    }

    /** Whether these weights were packed by a native backend. */
    public static boolean packed(final PackedLinear weights)
    {
        return weights instanceof OneDnnPackedLinear;
    }

    @Override
    public PackedLinear pack(final F32Tensor weight, final F32Tensor biasOrNull, final WeightFormat format)
    {
        return packer.pack(weight, biasOrNull, format);
    }

    @Override
    public PackedLinear packGated(
        final F32Tensor gate, final F32Tensor up, final F32Tensor upBiasOrNull, final WeightFormat format)
    {
        return packer.packGated(gate, up, upBiasOrNull, format);
    }

    @Override
    public void linear(
        final PackedLinear weights, final Epilogue epilogue,
        final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset)
    {
        final OneDnnPackedLinear w = LinearShapes.requireOwn(OneDnnPackedLinear.class, weights, epilogue);
        LinearShapes.requireBlock(x, xOffset, rows, w.inFeatures(), y, yOffset, w.outFeatures());
        run(w, epilogue, x, xOffset, rows, y, yOffset, null, 0);
    }

    @Override
    public boolean writesMemory()
    {
        return true;
    }

    /** oneDNN's product is read once, into the answer frame, with the bias added on the way. */
    @Override
    public void linearInto(
        final PackedLinear weights, final float[] x, final int xOffset, final int rows, final MemorySegment y,
        final long yOffset)
    {
        final OneDnnPackedLinear w = LinearShapes.requireOwn(OneDnnPackedLinear.class, weights, Epilogue.NONE);
        LinearShapes.requireBlock(x, xOffset, rows, w.inFeatures(), y, yOffset, w.outFeatures());
        run(w, Epilogue.NONE, x, xOffset, rows, null, 0, y, yOffset);
    }

    /** One call, its output in y or (when y is null) in memory, on this thread or split by rows over the pool. */
    private void run(
        final OneDnnPackedLinear w, final Epilogue epilogue, final float[] x, final int xOffset, final int rows,
        final float[] y, final int yOffset, final MemorySegment yMemory, final long yMemoryOffset)
    {
        if (rows == 0)
        {
            return;
        }
        final int threads = Math.min(rows, pool.threadsFor((long)rows * w.inFeatures() * w.columns()));
        if (threads == 1)
        {
            compute(w, epilogue, x, xOffset, 0, rows, y, yOffset, yMemory, yMemoryOffset);
            return;
        }
        final RowsTask task = tasks.get();
        task.set(w, epilogue, x, xOffset, rows, y, yOffset, threads);
        if (y == null)
        {
            task.setOutput(yMemory, yMemoryOffset);
        }
        try
        {
            pool.run(task, threads);
        }
        finally
        {
            task.clear();
        }
    }

    private void compute(
        final OneDnnPackedLinear w, final Epilogue epilogue, final float[] x, final int xOffset,
        final int firstRow, final int endRow, final float[] y, final int yOffset,
        final MemorySegment yMemory, final long yMemoryOffset)
    {
        final int rows = endRow - firstRow;
        final MemorySegment product = calls.get().multiply(w, x, xOffset + firstRow * w.inFeatures(), rows);
        final int n = w.outFeatures();
        if (y != null)
        {
            OneDnnRows.store(epilogue, product, rows, n, w.columns(), w.bias(), y, yOffset + firstRow * n);
        }
        else
        {
            OneDnnRows.storeLinear(product, rows * n, n, w.bias(), yMemory,
                yMemoryOffset + (long)firstRow * n * Float.BYTES);
        }
    }

    /** One call's rows split into chunks of consecutive rows. */
    private static final class RowsTask extends LinearCallTask<OneDnnPackedLinear>
    {
        private final OneDnnBackend backend;

        RowsTask(final OneDnnBackend backend)
        {
            this.backend = backend;
        }

        @Override
        protected void runChunk(final int chunk)
        {
            final int first = (int)((long)chunk * rows / chunks);
            final int end = (int)((long)(chunk + 1) * rows / chunks);
            if (end > first)
            {
                backend.compute(weights, epilogue, x, xOffset, first, end, y, yOffset, yMemory, yMemoryOffset);
            }
        }
    }
}
