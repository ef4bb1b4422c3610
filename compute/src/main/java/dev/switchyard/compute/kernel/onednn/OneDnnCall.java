package dev.switchyard.compute.kernel.onednn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * What one thread needs to run matmul primitives: its own stream and scratchpad (a primitive may run on
 * several threads at once only with a scratchpad per call), and the buffers its rows pass through, grown
 * when a larger block comes and reused otherwise.
 */
final class OneDnnCall
{
    /** Rows of one AMX tile, and the row block of oneDNN's f32 kernels. */
    static final int TILE_ROWS = 16;

    private final OneDnnFunctions dnnl;
    private final long engine;
    private final long stream;
    private final MemorySegment out;
    private final MemorySegment dims;
    private final MemorySegment args;
    private MemorySegment source = MemorySegment.NULL;
    private MemorySegment product = MemorySegment.NULL;
    private MemorySegment scratchpad = MemorySegment.NULL;

    OneDnnCall(final OneDnnLibrary library)
    {
        dnnl = library.functions();
        engine = library.engine().address();
        final Arena arena = Arena.ofAuto();
        out = arena.allocate(ADDRESS);
        dims = arena.allocate(JAVA_LONG, 2);
        args = arena.allocate(OneDnnConstants.EXEC_ARG_BYTES * 4, 8);
        stream = dnnl.streamCreate(out, library.engine()).address();
    }

    /** Writes one dnnl_exec_arg_t of an argument array. */
    static void setArg(final MemorySegment args, final int index, final int arg, final long memory)
    {
        final long at = index * OneDnnConstants.EXEC_ARG_BYTES;
        args.set(JAVA_INT, at, arg);
        args.set(JAVA_LONG, at + OneDnnConstants.EXEC_ARG_MEMORY_OFFSET, memory);
    }

    /**
     * product[rows, columns] = x[rows, k]·W, float32, in this thread's product buffer (valid until its
     * next call).
     */
    MemorySegment multiply(final OneDnnPackedLinear w, final float[] x, final int xOffset, final int rows)
    {
        OneDnnThreads.bound(dnnl);
        final int k = w.inFeatures();
        final OneDnnKernels kernels = w.kernels();
        // Rows in a partial tile (16 rows) of the matrix unit take other paths through oneDNN than rows in a full
        // one, with other bits: there the block is padded with zero rows to whole tiles, so that a row gets the
        // same bits alone, in any block and at any position in it (OneDnnKernels.blockRows).
        final int blockRows = kernels.blockRows(rows);
        source = atLeast(source, (long)blockRows * k * w.sourceBytes());
        product = atLeast(product, (long)blockRows * w.columns() * Float.BYTES);
        if (w.sourceBytes() == Short.BYTES)
        {
            OneDnnRows.writeBf16(x, xOffset, rows * k, source);
        }
        else
        {
            OneDnnRows.writeF32(x, xOffset, rows * k, source);
        }
        final long rowBytes = (long)k * w.sourceBytes();
        zero(source, rows * rowBytes, blockRows * rowBytes);
        for (int done = 0; done < blockRows; )
        {
            final int chunk = kernels.chunkRows(blockRows - done);
            execute(kernels.forChunk(chunk), w, chunk, source.address() + done * rowBytes,
                product.address() + (long)done * w.columns() * Float.BYTES);
            done += chunk;
        }
        return product;
    }

    /** One primitive call: product[rows, columns] at {@code to} = source[rows, k] at {@code from}·W. */
    private void execute(final OneDnnPrimitive p, final OneDnnPackedLinear w, final int rows, final long from,
        final long to)
    {
        scratchpad = atLeast(scratchpad, Math.max(1, p.scratchpadBytes()));
        final long sourceMd = md(rows, w.inFeatures(), w.dataType());
        final long productMd = md(rows, w.columns(), OneDnnConstants.DATA_F32);
        final long sourceMemory = dnnl.memoryCreate(out, sourceMd, engine, from);
        final long productMemory = dnnl.memoryCreate(out, productMd, engine, to);
        final boolean scratch = p.scratchpadBytes() > 0;
        final long scratchMemory = scratch ? dnnl.memoryCreate(out, p.scratchpadMd(), engine, scratchpad.address()) : 0;
        try
        {
            setArg(args, 0, OneDnnConstants.ARG_SRC, sourceMemory);
            setArg(args, 1, OneDnnConstants.ARG_WEIGHTS, w.weightsMemory());
            setArg(args, 2, OneDnnConstants.ARG_DST, productMemory);
            setArg(args, 3, OneDnnConstants.ARG_SCRATCHPAD, scratchMemory);
            dnnl.execute(p.primitive(), stream, scratch ? 4 : 3, args);
            dnnl.streamWait(stream);
        }
        finally
        {
            if (scratch)
            {
                dnnl.memoryDestroy(scratchMemory);
            }
            dnnl.memoryDestroy(productMemory);
            dnnl.memoryDestroy(sourceMemory);
            dnnl.mdDestroy(productMd);
            dnnl.mdDestroy(sourceMd);
        }
    }

    /** Zeroes bytes [from, to) of the buffer without making a slice of it (a slice is an object). */
    private static void zero(final MemorySegment buffer, final long from, final long to)
    {
        long at = from;
        for (; at + Long.BYTES <= to; at += Long.BYTES)
        {
            buffer.set(JAVA_LONG_UNALIGNED, at, 0L);
        }
        for (; at < to; at++)
        {
            buffer.set(JAVA_BYTE, at, (byte)0);
        }
    }

    private long md(final int rows, final int cols, final int type)
    {
        dims.setAtIndex(JAVA_LONG, 0, rows);
        dims.setAtIndex(JAVA_LONG, 1, cols);
        return dnnl.mdCreate(out, dims, type, OneDnnConstants.TAG_AB);
    }

    /** The buffer, or a larger one (twice the bytes asked, so that growth is rare). */
    private static MemorySegment atLeast(final MemorySegment buffer, final long bytes)
    {
        return buffer.byteSize() >= bytes ? buffer : Arena.ofAuto().allocate(bytes * 2, 64);
    }
}
