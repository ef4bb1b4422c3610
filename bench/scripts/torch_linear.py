#!/usr/bin/env python3
"""Times torch.nn.functional.linear, y[M,N] = x[M,K] @ W[N,K]^T, in float32 or bfloat16, on the CPU.

The peer of `switchyard bench kernel --m M --k K --n N --backend vector|native --weights f32|bf16`: same
shapes, one thread by default, median of the timed runs. bf16 runs x and W in bfloat16 (oneDNN's matrix
units where the CPU has them, AMX or AVX-512 BF16), as Switchyard's native backend does.

`--io f32` with bf16 times the call the way Switchyard's native backend makes it: float32 rows in, rounded to
bfloat16 inside the timed call, and the product returned as float32 (Switchyard's rows are float32 at both ends).

Usage: torch_linear.py M K N [--dtype f32|bf16] [--io same|f32] [--threads T] [--runs R]; last line `gflops=<x>`.
"""
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import thread_pools  # noqa: E402  (bounds the BLAS and OpenMP pools before torch loads)

thread_pools.bound(sys.argv)

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("m", type=int)
    p.add_argument("k", type=int)
    p.add_argument("n", type=int)
    p.add_argument("--dtype", choices=["f32", "bf16"], default="f32")
    p.add_argument("--io", choices=["same", "f32"], default="same",
                   help="f32: float32 rows in and out around a bf16 product, as `native` takes and gives them")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=0, help="timed runs (default: about 2 s of work)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    dtype = torch.float32 if a.dtype == "f32" else torch.bfloat16
    g = torch.Generator().manual_seed(1)
    x = torch.randn(a.m, a.k, generator=g)
    w = (torch.randn(a.n, a.k, generator=g) / a.k ** 0.5).to(dtype)
    if a.io == "f32" and dtype != torch.float32:
        def linear(rows, weight):
            return torch.nn.functional.linear(rows.to(dtype), weight).float()
    else:
        x = x.to(dtype)
        linear = torch.nn.functional.linear
    flops = 2.0 * a.m * a.k * a.n
    with torch.inference_mode():
        for _ in range(20):
            linear(x, w)
        start = time.perf_counter()
        linear(x, w)
        one = time.perf_counter() - start
        runs = a.runs or max(15, min(2000, int(2.0 / max(one, 1e-6))))
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            linear(x, w)
            times.append(time.perf_counter() - start)
    t = statistics.median(times)
    io = " (f32 rows in and out)" if a.io == "f32" and a.dtype != "f32" else ""
    print(f"torch {torch.__version__} linear {a.dtype}{io} m={a.m} k={a.k} n={a.n} threads={a.threads}: "
          f"{t * 1e3:.3f} ms", file=sys.stderr)
    print(f"gflops={flops / t / 1e9:.2f}")


if __name__ == "__main__":
    main()
