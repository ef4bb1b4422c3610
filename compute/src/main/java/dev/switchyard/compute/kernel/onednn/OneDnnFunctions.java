package dev.switchyard.compute.kernel.onednn;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The oneDNN C API functions the backend calls (oneDNN 3.x, {@code dnnl.h}), bound once. Each method calls
 * one function and turns a failed status into an {@link IllegalStateException} naming the call; out
 * parameters are written into the 8-byte segment {@code out} the caller passes.
 */
final class OneDnnFunctions
{
    private static final Linker LINKER = Linker.nativeLinker();
    private static final String[] STATUS = {
        "success", "out of memory", "invalid arguments", "unimplemented", "last implementation reached",
        "runtime error", "not required", "invalid graph", "invalid graph op", "invalid shape", "invalid data type"};

    private final MethodHandle engineCreate;
    private final MethodHandle streamCreate;
    private final MethodHandle streamWait;
    private final MethodHandle streamDestroy;
    private final MethodHandle mdCreateWithTag;
    private final MethodHandle mdDestroy;
    private final MethodHandle mdGetSize;
    private final MethodHandle attrCreate;
    private final MethodHandle attrSetScratchpadMode;
    private final MethodHandle attrDestroy;
    private final MethodHandle matmulPdCreate;
    private final MethodHandle reorderPdCreate;
    private final MethodHandle pdQueryMd;
    private final MethodHandle pdQuery;
    private final MethodHandle pdDestroy;
    private final MethodHandle primitiveCreate;
    private final MethodHandle primitiveDestroy;
    private final MethodHandle primitiveExecute;
    private final MethodHandle memoryCreate;
    private final MethodHandle memoryDestroy;
    private final MethodHandle effectiveCpuIsa;
    private final MethodHandle version;
    private final MethodHandle ompSetNumThreads;

    OneDnnFunctions(final SymbolLookup dnnl, final SymbolLookup gomp)
    {
        engineCreate = bind(dnnl, "dnnl_engine_create", ADDRESS, JAVA_INT, JAVA_LONG);
        streamCreate = bind(dnnl, "dnnl_stream_create", ADDRESS, ADDRESS, JAVA_INT);
        // The calls of every product take and return handles as 64-bit integers (the same registers as
        // pointers on x86-64), so that no segment is made per call for a handle.
        streamWait = bind(dnnl, "dnnl_stream_wait", JAVA_LONG);
        streamDestroy = bind(dnnl, "dnnl_stream_destroy", ADDRESS);
        mdCreateWithTag = bind(dnnl, "dnnl_memory_desc_create_with_tag",
            ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        mdDestroy = bind(dnnl, "dnnl_memory_desc_destroy", JAVA_LONG);
        mdGetSize = LINKER.downcallHandle(find(dnnl, "dnnl_memory_desc_get_size"),
            FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        attrCreate = bind(dnnl, "dnnl_primitive_attr_create", ADDRESS);
        attrSetScratchpadMode = bind(dnnl, "dnnl_primitive_attr_set_scratchpad_mode", ADDRESS, JAVA_INT);
        attrDestroy = bind(dnnl, "dnnl_primitive_attr_destroy", ADDRESS);
        matmulPdCreate = bind(dnnl, "dnnl_matmul_primitive_desc_create",
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        reorderPdCreate = bind(dnnl, "dnnl_reorder_primitive_desc_create",
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        pdQueryMd = LINKER.downcallHandle(find(dnnl, "dnnl_primitive_desc_query_md"),
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        pdQuery = bind(dnnl, "dnnl_primitive_desc_query", ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        pdDestroy = bind(dnnl, "dnnl_primitive_desc_destroy", ADDRESS);
        primitiveCreate = bind(dnnl, "dnnl_primitive_create", ADDRESS, ADDRESS);
        primitiveDestroy = bind(dnnl, "dnnl_primitive_destroy", ADDRESS);
        primitiveExecute = bind(dnnl, "dnnl_primitive_execute", JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS);
        memoryCreate = bind(dnnl, "dnnl_memory_create", ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        memoryDestroy = bind(dnnl, "dnnl_memory_destroy", JAVA_LONG);
        effectiveCpuIsa = LINKER.downcallHandle(find(dnnl, "dnnl_get_effective_cpu_isa"),
            FunctionDescriptor.of(JAVA_INT));
        version = LINKER.downcallHandle(find(dnnl, "dnnl_version"), FunctionDescriptor.of(ADDRESS));
        ompSetNumThreads = LINKER.downcallHandle(find(gomp, "omp_set_num_threads"),
            FunctionDescriptor.ofVoid(JAVA_INT));
    }

    private static MemorySegment find(final SymbolLookup library, final String name)
    {
        return library.find(name).orElseThrow(() -> new IllegalArgumentException("the library lacks " + name));
    }

    /** A function returning dnnl_status_t. */
    private static MethodHandle bind(
        final SymbolLookup library, final String name, final java.lang.foreign.MemoryLayout... args)
    {
        return LINKER.downcallHandle(find(library, name), FunctionDescriptor.of(JAVA_INT, args));
    }

    private static void check(final int status, final String call)
    {
        if (status != 0)
        {
            final String what = status > 0 && status < STATUS.length ? STATUS[status] : "status " + status;
            throw new IllegalStateException("oneDNN " + call + " failed: " + what);
        }
    }

    private static RuntimeException rethrow(final Throwable t)
    {
        if (t instanceof RuntimeException r)
        {
            return r;
        }
        if (t instanceof Error e)
        {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** A status-returning call made once per weight set or thread: no need for an exact invocation. */
    private static void call(final MethodHandle function, final String name, final Object... args)
    {
        try
        {
            check((int)function.invokeWithArguments(args), name);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    MemorySegment engineCreateCpu(final MemorySegment out)
    {
        call(engineCreate, "dnnl_engine_create", out, OneDnnConstants.ENGINE_CPU, 0L);
        return out.get(ADDRESS, 0);
    }

    MemorySegment streamCreate(final MemorySegment out, final MemorySegment engine)
    {
        call(streamCreate, "dnnl_stream_create", out, engine, OneDnnConstants.STREAM_DEFAULT);
        return out.get(ADDRESS, 0);
    }

    void streamWait(final long stream)
    {
        try
        {
            check((int)streamWait.invokeExact(stream), "dnnl_stream_wait");
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    void streamDestroy(final MemorySegment stream)
    {
        call(streamDestroy, "dnnl_stream_destroy", stream);
    }

    /** A 2-D memory descriptor; {@code dims} holds the two int64 dimensions. */
    long mdCreate(final MemorySegment out, final MemorySegment dims, final int dataType, final int tag)
    {
        try
        {
            check((int)mdCreateWithTag.invokeExact(out, 2, dims, dataType, tag), "dnnl_memory_desc_create_with_tag");
            return out.get(JAVA_LONG, 0);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    void mdDestroy(final long md)
    {
        try
        {
            check((int)mdDestroy.invokeExact(md), "dnnl_memory_desc_destroy");
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    long mdSize(final MemorySegment md)
    {
        try
        {
            return (long)mdGetSize.invokeExact(md);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Attributes asking for a user-provided scratchpad: each calling thread passes its own. */
    MemorySegment attrUserScratchpad(final MemorySegment out)
    {
        call(attrCreate, "dnnl_primitive_attr_create", out);
        final MemorySegment attr = out.get(ADDRESS, 0);
        call(attrSetScratchpadMode, "dnnl_primitive_attr_set_scratchpad_mode", attr, OneDnnConstants.SCRATCHPAD_USER);
        return attr;
    }

    void attrDestroy(final MemorySegment attr)
    {
        call(attrDestroy, "dnnl_primitive_attr_destroy", attr);
    }

    MemorySegment matmulPd(
        final MemorySegment out, final MemorySegment engine, final MemorySegment src, final MemorySegment weights,
        final MemorySegment dst, final MemorySegment attr)
    {
        call(matmulPdCreate, "dnnl_matmul_primitive_desc_create",
            out, engine, src, weights, MemorySegment.NULL, dst, attr);
        return out.get(ADDRESS, 0);
    }

    MemorySegment reorderPd(
        final MemorySegment out, final MemorySegment from, final MemorySegment to, final MemorySegment engine)
    {
        call(reorderPdCreate, "dnnl_reorder_primitive_desc_create", out, from, engine, to, engine, MemorySegment.NULL);
        return out.get(ADDRESS, 0);
    }

    MemorySegment pdQueryMd(final MemorySegment pd, final int what)
    {
        try
        {
            return (MemorySegment)pdQueryMd.invokeExact(pd, what, 0);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** The implementation's name, e.g. {@code brg_matmul:avx10_1_512_amx}. */
    String pdImplementation(final MemorySegment out, final MemorySegment pd)
    {
        call(pdQuery, "dnnl_primitive_desc_query", pd, OneDnnConstants.QUERY_IMPL_INFO_STR, 0, out);
        return out.get(ADDRESS, 0).reinterpret(256).getString(0);
    }

    void pdDestroy(final MemorySegment pd)
    {
        call(pdDestroy, "dnnl_primitive_desc_destroy", pd);
    }

    MemorySegment primitiveCreate(final MemorySegment out, final MemorySegment pd)
    {
        call(primitiveCreate, "dnnl_primitive_create", out, pd);
        return out.get(ADDRESS, 0);
    }

    void primitiveDestroy(final MemorySegment primitive)
    {
        call(primitiveDestroy, "dnnl_primitive_destroy", primitive);
    }

    /** Runs the primitive on {@code stream} with {@code count} dnnl_exec_arg_t {int arg; dnnl_memory_t} in args. */
    void execute(final long primitive, final long stream, final int count, final MemorySegment args)
    {
        try
        {
            check((int)primitiveExecute.invokeExact(primitive, stream, count, args), "dnnl_primitive_execute");
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** A memory object over {@code handle}, which the caller owns and keeps alive. */
    long memoryCreate(final MemorySegment out, final long md, final long engine, final long handle)
    {
        try
        {
            check((int)memoryCreate.invokeExact(out, md, engine, handle), "dnnl_memory_create");
            return out.get(JAVA_LONG, 0);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    void memoryDestroy(final long memory)
    {
        try
        {
            check((int)memoryDestroy.invokeExact(memory), "dnnl_memory_destroy");
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    int effectiveCpuIsa()
    {
        try
        {
            return (int)effectiveCpuIsa.invokeExact();
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** major.minor.patch of the loaded library. */
    String version()
    {
        try
        {
            final MemorySegment v = ((MemorySegment)version.invokeExact()).reinterpret(12);
            return v.get(JAVA_INT, 0) + "." + v.get(JAVA_INT, 4) + "." + v.get(JAVA_INT, 8);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Bounds the OpenMP team of the calling thread's later oneDNN calls. */
    void ompSetNumThreads(final int threads)
    {
        try
        {
            ompSetNumThreads.invokeExact(threads);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }
}
