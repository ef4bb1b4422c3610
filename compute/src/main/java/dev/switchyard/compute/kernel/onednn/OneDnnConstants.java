package dev.switchyard.compute.kernel.onednn;

/** The values of oneDNN 3.x's C enums and macros the backend passes ({@code dnnl_types.h}). */
final class OneDnnConstants
{
    static final int ENGINE_CPU = 1;
    static final int STREAM_DEFAULT = 1;
    static final int SCRATCHPAD_USER = 1;

    static final int DATA_BF16 = 2;
    static final int DATA_F32 = 3;

    static final int TAG_ANY = 1;
    /** Row-major [rows, cols]. */
    static final int TAG_AB = 3;
    /** [k, n] stored as [n, k] row-major: torch's Linear weight. */
    static final int TAG_BA = 14;

    static final int ARG_SRC = 1;
    static final int ARG_DST = 17;
    static final int ARG_WEIGHTS = 33;
    static final int ARG_SCRATCHPAD = 80;
    static final int ARG_FROM = ARG_SRC;
    static final int ARG_TO = ARG_DST;

    static final int QUERY_IMPL_INFO_STR = 8;
    static final int QUERY_WEIGHTS_MD = 131;
    static final int QUERY_SCRATCHPAD_MD = 136;

    /** DNNL_RUNTIME_DIM_VAL: a dimension given only at execution. */
    static final long RUNTIME_DIM = Long.MIN_VALUE;

    /** dnnl_cpu_isa_avx512_core_bf16: the bits every CPU with bfloat16 dot products has. */
    static final int ISA_AVX512_CORE_BF16 = 0xe7;

    /** Bytes of one dnnl_exec_arg_t {int arg; dnnl_memory_t memory;}. */
    static final long EXEC_ARG_BYTES = 16;
    static final long EXEC_ARG_MEMORY_OFFSET = 8;

    private OneDnnConstants()
    {
    }
}
