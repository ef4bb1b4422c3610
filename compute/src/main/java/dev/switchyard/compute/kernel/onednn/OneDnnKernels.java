package dev.switchyard.compute.kernel.onednn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The matmul primitives of one weight set, all over the same packed weights.
 * <p>
 * Where oneDNN has a blocked (brgemm) kernel that takes the row count at each call, as it has on AMX, that
 * one primitive runs every block. Where it has none (with AVX-512 BF16 but no AMX, oneDNN 3.x answers a
 * run-time row count with its generic gemm, 7× slower at one row and up to a third at 16 to 64), there is
 * a primitive per block size instead, each made at first use: exact row counts under a tile, whole tiles up to
 * {@value #MAX_BLOCK_ROWS} rows, and larger calls {@value #MAX_BLOCK_ROWS} rows at a time. They are all one
 * brgemm kernel over one weight layout, so a row's sums still run over k in one order whatever its block;
 * {@code OneDnnBackendTest} holds every block size to the bits of a whole-block call.
 */
final class OneDnnKernels
{
    /** The largest block one per-size primitive takes. */
    static final int MAX_BLOCK_ROWS = 256;

    private static final int TILE = OneDnnCall.TILE_ROWS;
    private static final int MIN_BLOCK_ROWS = 2;
    private static final int SLOTS = TILE - MIN_BLOCK_ROWS + MAX_BLOCK_ROWS / TILE;

    private final OneDnnFunctions dnnl;
    private final MemorySegment engine;
    private final int k;
    private final int columns;
    private final int type;
    /** The primitive taking any row count, or null where there is one per block size. */
    private final OneDnnPrimitive anyRows;
    /** The primitive whose weight layout every other one shares. */
    private final OneDnnPrimitive first;
    private final AtomicReferenceArray<OneDnnPrimitive> bySize;

    private OneDnnKernels(
        final OneDnnLibrary library, final int k, final int columns, final int type, final OneDnnPrimitive anyRows,
        final OneDnnPrimitive fixed)
    {
        this.dnnl = library.functions();
        this.engine = library.engine();
        this.k = k;
        this.columns = columns;
        this.type = type;
        this.anyRows = anyRows;
        this.first = anyRows != null ? anyRows : fixed;
        this.bySize = new AtomicReferenceArray<>(anyRows != null ? 0 : SLOTS);
        if (fixed != null)
        {
            bySize.set(slot(MAX_BLOCK_ROWS), fixed);
        }
    }

    /** The primitives for products x[rows, k]·W[k, columns] of the given oneDNN data type. */
    static OneDnnKernels build(final OneDnnLibrary library, final int k, final int columns, final int type)
    {
        final OneDnnFunctions dnnl = library.functions();
        final OneDnnPrimitive any = create(dnnl, library.engine(), OneDnnConstants.RUNTIME_DIM, k, columns, type, 0);
        if (any.blocked())
        {
            return new OneDnnKernels(library, k, columns, type, any, null);
        }
        final OneDnnPrimitive fixed = create(dnnl, library.engine(), MAX_BLOCK_ROWS, k, columns, type, 0);
        if (!fixed.blocked())
        {
            fixed.release(dnnl);
            return new OneDnnKernels(library, k, columns, type, any, null);
        }
        any.release(dnnl);
        return new OneDnnKernels(library, k, columns, type, null, fixed);
    }

    /** The layout the weights are packed in (owned by a primitive descriptor here). */
    MemorySegment weightsMd()
    {
        return dnnl.pdQueryMd(first.descriptor(), OneDnnConstants.QUERY_WEIGHTS_MD);
    }

    String implementation()
    {
        return anyRows != null ? first.implementation() : first.implementation() + " (a primitive per block size)";
    }

    /**
     * The rows a call of {@code rows} computes, zero rows added: whole tiles, as the matrix units have them,
     * except under a tile where there is a primitive per block size (the vector kernels have no tiles). There
     * a single row is computed as two: oneDNN makes one row alone a product of a vector, summed in another
     * order.
     */
    int blockRows(final int rows)
    {
        if (anyRows == null && rows < TILE)
        {
            return Math.max(rows, MIN_BLOCK_ROWS);
        }
        return (rows + TILE - 1) / TILE * TILE;
    }

    /** The rows of the next primitive call of a block that has {@code remaining} rows left. */
    int chunkRows(final int remaining)
    {
        return anyRows != null ? remaining : Math.min(remaining, MAX_BLOCK_ROWS);
    }

    /** The primitive for a chunk of {@link #chunkRows} rows. */
    OneDnnPrimitive forChunk(final int rows)
    {
        if (anyRows != null)
        {
            return anyRows;
        }
        final OneDnnPrimitive made = bySize.get(slot(rows));
        return made != null ? made : make(rows);
    }

    private synchronized OneDnnPrimitive make(final int rows)
    {
        final int slot = slot(rows);
        OneDnnPrimitive made = bySize.get(slot);
        if (made == null)
        {
            made = create(dnnl, engine, rows, k, columns, type, weightsMd().address());
            bySize.set(slot, made);
        }
        return made;
    }

    private static int slot(final int rows)
    {
        return rows < TILE ? rows - MIN_BLOCK_ROWS : TILE - MIN_BLOCK_ROWS - 1 + rows / TILE;
    }

    /** Destroys every primitive made; the weights' memory is the packer's. */
    void release()
    {
        if (anyRows != null)
        {
            anyRows.release(dnnl);
        }
        for (int i = 0; i < bySize.length(); i++)
        {
            final OneDnnPrimitive made = bySize.get(i);
            if (made != null)
            {
                made.release(dnnl);
            }
        }
    }

    /**
     * A primitive for {@code rows} rows (or {@link OneDnnConstants#RUNTIME_DIM}), float32 products, a
     * scratchpad passed by each caller, and weights in the layout {@code weightsMd} (0: oneDNN's choice).
     */
    private static OneDnnPrimitive create(
        final OneDnnFunctions dnnl, final MemorySegment engine, final long rows, final int k, final int columns,
        final int type, final long weightsMd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment out = arena.allocate(ADDRESS);
            final long srcMd = md(dnnl, arena, out, rows, k, type, OneDnnConstants.TAG_AB);
            final long anyMd = weightsMd != 0 ? 0 : md(dnnl, arena, out, k, columns, type, OneDnnConstants.TAG_ANY);
            final long dstMd = md(dnnl, arena, out, rows, columns, OneDnnConstants.DATA_F32, OneDnnConstants.TAG_AB);
            final MemorySegment attr = dnnl.attrUserScratchpad(out);
            final MemorySegment pd;
            try
            {
                pd = dnnl.matmulPd(out, engine, MemorySegment.ofAddress(srcMd),
                    MemorySegment.ofAddress(weightsMd != 0 ? weightsMd : anyMd), MemorySegment.ofAddress(dstMd), attr);
            }
            finally
            {
                dnnl.attrDestroy(attr);
                dnnl.mdDestroy(srcMd);
                if (anyMd != 0)
                {
                    dnnl.mdDestroy(anyMd);
                }
                dnnl.mdDestroy(dstMd);
            }
            final String implementation = dnnl.pdImplementation(out, pd);
            final MemorySegment scratchMd = dnnl.pdQueryMd(pd, OneDnnConstants.QUERY_SCRATCHPAD_MD);
            final long primitive = dnnl.primitiveCreate(out, pd).address();
            return new OneDnnPrimitive(pd, primitive, scratchMd.address(), dnnl.mdSize(scratchMd), implementation);
        }
    }

    static long md(
        final OneDnnFunctions dnnl, final Arena arena, final MemorySegment out, final long rows, final long cols,
        final int type, final int tag)
    {
        final MemorySegment dims = arena.allocate(JAVA_LONG, 2);
        dims.setAtIndex(JAVA_LONG, 0, rows);
        dims.setAtIndex(JAVA_LONG, 1, cols);
        return dnnl.mdCreate(out, dims, type, tag);
    }
}
