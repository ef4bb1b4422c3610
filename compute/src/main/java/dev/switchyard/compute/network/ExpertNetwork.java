package dev.switchyard.compute.network;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.switchyard.compute.kernel.ComputeBackend;
import dev.switchyard.compute.kernel.Epilogue;
import dev.switchyard.compute.kernel.LinearShapes;
import dev.switchyard.compute.kernel.PackedLinear;
import dev.switchyard.compute.kernel.WeightFormat;
import dev.switchyard.model.config.Activation;
import dev.switchyard.model.directory.ExpertWeights;
import dev.switchyard.wire.BadInputException;

/**
 * One expert's feed-forward network, weights packed once at load:
 * <pre>
 * FFN(x) = act(x·Wiᵀ + bi)·Woᵀ + bo                          // x [rows, d_model] → h [rows, d_ff] → y [rows, d_model]
 * SwiGLU: (silu(x·Wgᵀ) ⊙ (x·Wiᵀ + bi))·Woᵀ + bo              // Wg is the gate, Wi the up projection
 * </pre>
 * Safe to call from several threads at once; each calling thread keeps one hidden buffer for every
 * network it runs (a thread runs one at a time), so a warm call does not allocate, and a node of many
 * experts holds one buffer a thread, not one an expert and thread. A row's output depends only on that row:
 * not on the block's other rows, its size, the row's place in it, or the threads (see
 * {@link ComputeBackend}).
 */
public final class ExpertNetwork implements FrameCompute
{
    /**
     * Rows per pass through both products: the hidden block [ROW_BLOCK, d_ff] per thread stays small, and
     * the rows of one pass share the trip of the weights through the caches.
     */
    public static final int ROW_BLOCK = 256;
    /** Row counts a warm-up runs: every combination of the kernels' row tiles (6, 4, 2, 1) occurs. */
    private static final int WARM_UP_ROWS = 8;

    private final ComputeBackend backend;
    private final Activation activation;
    private final Epilogue firstEpilogue;
    private final PackedLinear first;
    private final PackedLinear second;
    private final int dModel;
    private final int dFf;
    /** [ROW_BLOCK, d_ff] of the widest network the thread has run. */
    private static final ThreadLocal<float[]> HIDDEN = new ThreadLocal<>();
    /** [ROW_BLOCK, d_model] of the widest network the thread has run into a frame, where its backend cannot. */
    private static final ThreadLocal<float[]> OUTPUT = new ThreadLocal<>();

    private ExpertNetwork(
        final ComputeBackend backend, final Activation activation, final PackedLinear first, final PackedLinear second)
    {
        this.backend = backend;
        this.activation = activation;
        this.firstEpilogue = Epilogue.after(activation);
        this.first = first;
        this.second = second;
        this.dModel = first.inFeatures();
        this.dFf = first.outFeatures();
    }

    /**
     * Checks the shapes and packs the weights.
     *
     * @throws BadInputException naming the tensor whose shape is wrong, or the missing gate of SwiGLU
     */
    public static ExpertNetwork load(
        final ExpertWeights w, final Activation activation, final ComputeBackend backend, final WeightFormat format)
    {
        LinearShapes.requireMatrix(w.wi());
        LinearShapes.requireMatrix(w.wo());
        final int dFf = w.wi().dim(0);
        final int dModel = w.wi().dim(1);
        if (w.wo().dim(0) != dModel || w.wo().dim(1) != dFf)
        {
            throw new BadInputException(
                "tensor " + w.wo().name() + " has shape " + w.wo().shapeString() + ", expected [" + dModel + ", " +
                dFf + "] to match " + w.wi().name() + " " + w.wi().shapeString());
        }
        if ((long)ROW_BLOCK * dFf > Integer.MAX_VALUE)
        {
            throw new BadInputException("tensor " + w.wi().name() + " " + w.wi().shapeString() + " is too large");
        }
        final PackedLinear first;
        if (activation.gated())
        {
            if (w.wg() == null)
            {
                throw new BadInputException(
                    "activation " + activation.configName() + " needs the gate tensor next to " + w.wi().name() +
                    " (wg.weight [" + dFf + ", " + dModel + "])");
            }
            first = backend.packGated(w.wg(), w.wi(), w.wiBias(), format);
        }
        else
        {
            first = backend.pack(w.wi(), w.wiBias(), format);
        }
        final PackedLinear second = backend.pack(w.wo(), w.woBias(), format);
        return new ExpertNetwork(backend, activation, first, second);
    }

    /**
     * The network over weights already packed by {@code backend} (a checkpoint's fp8 experts): first [d_ff, d]
     * (gated with {@link Epilogue#SWIGLU} where the activation is), second [d, d_ff].
     */
    static ExpertNetwork ofPacked(
        final ComputeBackend backend, final Activation activation, final PackedLinear first, final PackedLinear second)
    {
        if (second.inFeatures() != first.outFeatures() || second.outFeatures() != first.inFeatures() ||
            (long)ROW_BLOCK * first.outFeatures() > Integer.MAX_VALUE)
        {
            throw new BadInputException("expert products [" + first.outFeatures() + ", " + first.inFeatures() +
                "] and [" + second.outFeatures() + ", " + second.inFeatures() + "] do not make a network");
        }
        return new ExpertNetwork(backend, activation, first, second);
    }

    /**
     * Runs the network over zero blocks of 1 to 8 rows, {@code rounds} times, so that the JIT has
     * compiled its kernels before the first real block: the first block of a fresh JVM otherwise
     * runs the Vector API interpreted, seconds instead of milliseconds for a large expert. The
     * calling thread's scratch is released afterwards.
     */
    public void warmUp(final int rounds)
    {
        final float[] x = new float[WARM_UP_ROWS * dModel]; // [rows, d_model]
        final float[] y = new float[WARM_UP_ROWS * dModel]; // [rows, d_model]
        try (Arena arena = Arena.ofShared())
        {
            final MemorySegment frame = arena.allocate((long)y.length * Float.BYTES);
            for (int r = 0; r < rounds; r++)
            {
                for (int rows = 1; rows <= WARM_UP_ROWS; rows++)
                {
                    forward(x, 0, rows, y, 0);
                    forward(x, 0, rows, frame, 0);
                }
            }
        }
        HIDDEN.remove();
        OUTPUT.remove();
    }

    public int dModel()
    {
        return dModel;
    }

    public int dFf()
    {
        return dFf;
    }

    public Activation activation()
    {
        return activation;
    }

    public WeightFormat format()
    {
        return first.format();
    }

    public ComputeBackend backend()
    {
        return backend;
    }

    /** Bytes of packed weights this expert holds. */
    public long packedBytes()
    {
        return first.packedBytes() + second.packedBytes();
    }

    /** This thread's hidden buffer [ROW_BLOCK, d_ff], grown to this network's width the first time it needs more. */
    private float[] hidden()
    {
        return threadBuffer(HIDDEN, ROW_BLOCK * dFf);
    }

    /** This thread's buffer of {@code local}, grown to {@code floats} the first time a network needs more. */
    private static float[] threadBuffer(final ThreadLocal<float[]> local, final int floats)
    {
        float[] buffer = local.get();
        if (buffer == null || buffer.length < floats)
        {
            buffer = new float[floats];
            local.set(buffer);
        }
        return buffer;
    }

    /**
     * y = FFN(x) for {@code rows} rows.
     *
     * @param x       [rows, d_model] row-major from {@code xOffset}
     * @param y       [rows, d_model] row-major from {@code yOffset}, overwritten; must not overlap x
     */
    @Override
    public void forward(final float[] x, final int xOffset, final int rows, final float[] y, final int yOffset)
    {
        LinearShapes.requireBlock(x, xOffset, rows, dModel, y, yOffset, dModel);
        final float[] h = hidden();
        for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK)
        {
            final int blockRows = Math.min(ROW_BLOCK, rows - r0);
            backend.linear(first, firstEpilogue, x, xOffset + r0 * dModel, blockRows, h, 0);
            backend.linear(second, Epilogue.NONE, h, 0, blockRows, y, yOffset + r0 * dModel);
        }
    }

    /**
     * y = FFN(x) for {@code rows} rows, y written as little-endian float32 from byte {@code yOffset}: the
     * rows of an answer frame, where it is sent from. A backend that {@link ComputeBackend#writesMemory()}
     * stores the second product there; another computes it into this thread's rows and copies them.
     */
    @Override
    public void forward(final float[] x, final int xOffset, final int rows, final MemorySegment y, final long yOffset)
    {
        LinearShapes.requireBlock(x, xOffset, rows, dModel, y, yOffset, dModel);
        final float[] h = hidden();
        final float[] out = backend.writesMemory() ? null : threadBuffer(OUTPUT, ROW_BLOCK * dModel);
        for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK)
        {
            final int blockRows = Math.min(ROW_BLOCK, rows - r0);
            final long at = yOffset + (long)r0 * dModel * Float.BYTES;
            backend.linear(first, firstEpilogue, x, xOffset + r0 * dModel, blockRows, h, 0);
            if (out == null)
            {
                backend.linearInto(second, h, 0, blockRows, y, at);
            }
            else
            {
                backend.linear(second, Epilogue.NONE, h, 0, blockRows, out, 0);
                MemorySegment.copy(out, 0, y, ComputeBackend.LITTLE_ENDIAN_FLOAT, at, blockRows * dModel);
            }
        }
    }
}
