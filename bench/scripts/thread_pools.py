"""Bounds the BLAS and OpenMP thread pools of a reference script to its --threads before torch or numpy loads.

The pools start when their library loads, whatever torch.set_num_threads says later: without this a
"one-thread" run multiplies on every core. Import it first:

    import thread_pools
    thread_pools.bound(sys.argv)
"""
import os


def threads(argv, default=1):
    """The value of --threads N (or --threads=N) in argv, as a string."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return str(default)


def bound(argv, default=1):
    n = threads(argv, default)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = n
    return n
