#!/usr/bin/env python3
"""Reference GEMM timing: y[m,n] = x[m,k] . W^T with W [n,k] (torch orientation), float32.

Usage (one BLAS thread, the library's own core detection):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
        python3 bench/scripts/openblas_matmul.py M K N [--warmup W] [--runs R] [--ffn]

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for this command only: some environments pin
them (e.g. CORETYPE=Haswell), which forces OpenBLAS onto a slower AVX2 kernel on AVX-512 machines.

Each timed run is one product; the figure is 2*m*k*n / median(time). With --ffn the timed
run is a whole expert FFN (m rows, d_model=K, d_ff=N): relu(x.Wi^T + bi).Wo^T + bo, and the
figure counts both products (4*m*k*n flops). The last line is `gflops=<number>`.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

from openblas_core import core_name


def main():
    p = argparse.ArgumentParser()
    p.add_argument("m", type=int)
    p.add_argument("k", type=int)
    p.add_argument("n", type=int)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--ffn", action="store_true")
    a = p.parse_args()

    rng = np.random.default_rng(42)
    x = rng.standard_normal((a.m, a.k), dtype=np.float32)
    w = rng.standard_normal((a.n, a.k), dtype=np.float32) * np.float32(0.03)
    wt = w.T  # a view: BLAS reads W [n,k] transposed, as torch Linear does
    if a.ffn:
        bi = rng.standard_normal(a.n, dtype=np.float32)
        wo = rng.standard_normal((a.k, a.n), dtype=np.float32) * np.float32(0.03)
        wot = wo.T
        bo = rng.standard_normal(a.k, dtype=np.float32)
        h = np.empty((a.m, a.n), dtype=np.float32)
        y = np.empty((a.m, a.k), dtype=np.float32)

        def once():
            np.matmul(x, wt, out=h)
            h += bi
            np.maximum(h, 0.0, out=h)
            np.matmul(h, wot, out=y)
            y += bo
        flops = 4.0 * a.m * a.k * a.n
    else:
        y = np.empty((a.m, a.n), dtype=np.float32)

        def once():
            np.matmul(x, wt, out=y)
        flops = 2.0 * a.m * a.k * a.n

    # Enough repetitions per timed run that one run lasts at least ~20 ms.
    t0 = time.perf_counter()
    once()
    single = max(time.perf_counter() - t0, 1e-6)
    reps = max(1, int(0.02 / single))
    for _ in range(a.warmup):
        for _ in range(reps):
            once()
    times = []
    for i in range(a.runs):
        t0 = time.perf_counter()
        for _ in range(reps):
            once()
        times.append((time.perf_counter() - t0) / reps)
        print(f"run {i}: {flops / times[-1] / 1e9:.1f} GFLOP/s", file=sys.stderr)
    med = statistics.median(times)
    print(f"openblas core={core_name()} OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
          f" OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}", file=sys.stderr)
    print(f"gflops={flops / med / 1e9:.2f}")


if __name__ == "__main__":
    main()
