#!/usr/bin/env python3
"""The same MoE layer in PyTorch on the CPU, the reference Switchyard's in-process layer is timed against.

Two styles, both with Mesh TF top-2 gating (canonical before_capacity, policy all/none/threshold,
no importance):
  einsum  GShard style: dense one-hot dispatch and combine tensors [G, E, C] and einsums
  sparse  index_select of each expert's tokens, F.linear, index_add_ of the weighted outputs

Reads the model directory (config.json + model.safetensors) and the token file (.npy) that
`switchyard infer` reads, so the output can be compared with Switchyard's as well as timed.

  /usr/bin/python3 bench/scripts/torch_moe_layer.py --model DIR --input X.npy [--threads 1] [--runs 10]
                   [--style einsum|sparse|both] [--check Y.npy]

Needs Debian's python3-torch and libopenblas0-pthread (bench/scripts/setup-torch.sh installs them):
without OpenBLAS, torch 1.13 from Debian falls back to the reference BLAS and the timing means nothing.
The last line is `einsum_ms=<median> sparse_ms=<median>` (a style not run is omitted).
"""
import argparse
import json
import statistics
import struct
import sys
import time


import thread_pools  # noqa: E402  (bounds the BLAS and OpenMP pools before torch loads)

thread_pools.bound(sys.argv)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} has dtype {meta['dtype']}, expected F32")
        start, end = meta["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data[start:end], dtype="<f4").reshape(meta["shape"]).copy())
    return tensors


def load_layer(model_dir, layer):
    cfg = json.load(open(f"{model_dir}/config.json"))
    t = read_safetensors(f"{model_dir}/model.safetensors")
    prefix = f"layers.{layer}." if any(k.startswith("layers.") for k in t) else ""
    e = cfg["num_experts"]
    bias = cfg.get("expert_bias", True)
    w = {
        "router": t[prefix + "router.weight"],
        # [E, d_ff, d_model], [E, d_model, d_ff]
        "wi": torch.stack([t[f"{prefix}experts.{i}.wi.weight"] for i in range(e)]),
        "wo": torch.stack([t[f"{prefix}experts.{i}.wo.weight"] for i in range(e)]),
    }
    if bias:
        w["bi"] = torch.stack([t[f"{prefix}experts.{i}.wi.bias"] for i in range(e)])
        w["bo"] = torch.stack([t[f"{prefix}experts.{i}.wo.bias"] for i in range(e)])
    return cfg, w


def top2_gating(x, router, r):
    """x [G, d] -> (index1, gate1, index2, gate2, capacity) with dropped gates 0 (Mesh TF canonical)."""
    g, e = x.shape[0], router.shape[0]
    cap = max(r["min_capacity"], min(g, int(g * r["capacity_factor"] / e)))
    gates = torch.softmax(x @ router.t(), dim=-1)                     # [G, E]
    i1 = torch.argmax(gates, dim=-1)                                   # first maximal index on ties
    mask1 = F.one_hot(i1, e).float()                                   # [G, E]
    g1 = (gates * mask1).sum(-1)
    without1 = gates * (1 - mask1)
    i2 = torch.argmax(without1, dim=-1)
    mask2 = F.one_hot(i2, e).float()
    g2 = (without1 * mask2).sum(-1)
    denom = g1 + g2 + 1e-9
    g1, g2 = g1 / denom, g2 / denom
    policy = r.get("second_policy", "all")
    if policy == "none":
        mask2 = torch.zeros_like(mask2)
    elif policy == "threshold":
        mask2 = mask2 * (g2 > r["second_threshold"]).float()[:, None]
    elif policy != "all":
        sys.exit(f"policy {policy} is not reproduced here")
    pos1 = (torch.cumsum(mask1, 0) - mask1) * mask1
    mask1 = mask1 * (pos1 < cap).float()
    count1 = mask1.sum(0)
    flat1 = mask1.sum(-1)
    pos1 = pos1.sum(-1)
    g1 = g1 * flat1
    pos2 = (torch.cumsum(mask2, 0) - mask2 + count1) * mask2
    mask2 = mask2 * (pos2 < cap).float()
    flat2 = mask2.sum(-1)
    pos2 = pos2.sum(-1)
    g2 = g2 * flat2
    return i1, g1, pos1.long(), flat1, i2, g2, pos2.long(), flat2, cap


def layer_einsum(x, cfg, w):
    r = cfg["routing"]
    e = cfg["num_experts"]
    out = torch.zeros_like(x)
    for s in range(0, x.shape[0], r["group_size"]):
        xg = x[s:s + r["group_size"]]
        i1, g1, p1, f1, i2, g2, p2, f2, cap = top2_gating(xg, w["router"], r)
        # combine [G, E, C]
        combine = (g1[:, None, None] * F.one_hot(i1, e)[:, :, None] * F.one_hot(p1.clamp(max=cap - 1), cap)[:, None, :]
                   * f1[:, None, None]
                   + g2[:, None, None] * F.one_hot(i2, e)[:, :, None] * F.one_hot(p2.clamp(max=cap - 1), cap)[:, None, :]
                   * f2[:, None, None])
        dispatch = (combine != 0).float()
        inputs = torch.einsum("gec,gd->ecd", dispatch, xg)            # [E, C, d]
        h = torch.einsum("ecd,efd->ecf", inputs, w["wi"])             # [E, C, d_ff]
        if "bi" in w:
            h = h + w["bi"][:, None, :]
        h = torch.relu(h)
        o = torch.einsum("ecf,edf->ecd", h, w["wo"])                  # [E, C, d]
        if "bo" in w:
            o = o + w["bo"][:, None, :]
        out[s:s + xg.shape[0]] = torch.einsum("gec,ecd->gd", combine, o)
    return out


def layer_sparse(x, cfg, w):
    r = cfg["routing"]
    e = cfg["num_experts"]
    out = torch.zeros_like(x)
    for s in range(0, x.shape[0], r["group_size"]):
        xg = x[s:s + r["group_size"]]
        i1, g1, _, f1, i2, g2, _, f2, _ = top2_gating(xg, w["router"], r)
        yg = torch.zeros_like(xg)
        # Every kept assignment of an expert, first and second choices together: one product per expert.
        tokens = torch.cat([torch.arange(xg.shape[0]), torch.arange(xg.shape[0])])
        experts = torch.cat([torch.where(f1 > 0, i1, -1), torch.where(f2 > 0, i2, -1)])
        gates = torch.cat([g1, g2])
        for ex in range(e):
            pick = (experts == ex).nonzero(as_tuple=True)[0]
            if pick.numel() == 0:
                continue
            sel = tokens.index_select(0, pick)
            xe = xg.index_select(0, sel)
            h = torch.relu(F.linear(xe, w["wi"][ex], w["bi"][ex] if "bi" in w else None))
            oe = F.linear(h, w["wo"][ex], w["bo"][ex] if "bo" in w else None)
            yg.index_add_(0, sel, oe * gates.index_select(0, pick)[:, None])
        out[s:s + xg.shape[0]] = yg
    return out


def median_ms(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--layer", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--style", choices=["einsum", "sparse", "both"], default="both")
    p.add_argument("--check", help="Switchyard's output for the same input: report the largest difference")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    cfg, w = load_layer(a.model, a.layer)
    if cfg.get("activation", "relu") != "relu" or cfg["routing"].get("normalize", "before_capacity") != "before_capacity":
        sys.exit("this reference covers relu experts with normalize before_capacity")
    x = torch.from_numpy(np.load(a.input).astype(np.float32))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), BLAS: "
          f"{'openblas' if 'openblas' in torch.__config__.show().lower() else 'see torch.__config__.show()'}",
          file=sys.stderr)
    results = []
    with torch.no_grad():
        for style, fn in (("einsum", layer_einsum), ("sparse", layer_sparse)):
            if a.style not in (style, "both"):
                continue
            if a.check:
                ref = torch.from_numpy(np.load(a.check))
                y = fn(x, cfg, w)
                diff = (y - ref).abs().max().item()
                scale = ref.abs().max().item()
                print(f"{style}: max |torch - switchyard| = {diff:.3g} (max |y| {scale:.3g})", file=sys.stderr)
            ms = median_ms(lambda: fn(x, cfg, w), a.runs, a.warmup)
            print(f"{style}: median {ms:.1f} ms over {a.runs} runs", file=sys.stderr)
            results.append(f"{style}_ms={ms:.3f}")
    print(" ".join(results))


if __name__ == "__main__":
    main()
