#!/usr/bin/env python3
"""The sparse MoE block of a Hugging Face checkpoint, timed with its own transformers module on the CPU:
the reference `switchyard bench layer --model DIR` is compared with.

  python bench/scripts/hf_moe_layer.py make --out DIR [--family mixtral] [--d-model 1024] [--d-ff 3584]
                                       [--experts 8] [--top-k 2] [--dtype f32|bf16|fp8]
  python bench/scripts/hf_moe_layer.py time --model DIR [--layer 0] [--tokens 4096 | --input X.npy]
                                       [--threads 1] [--warmup 3] [--runs 10] [--experts-impl default|eager]
                                       [--dtype f32|bf16] [--output Y.npy]

`make` writes a one-layer checkpoint of that shape with random weights (save_pretrained; fp8: then every
expert and projection matrix rewritten as float8_e4m3fn with a float32 scale per 128x128 block and a
`quantization_config`, as DeepSeek-V3's and Qwen3's fp8 releases store them), `time` loads
it with from_pretrained in eval mode, float32 (or --dtype bf16), and times the served layer's module (the block after its
pre-norm, as Switchyard serves it) on the same random tokens `bench layer` draws when given --input.
The last line of `time` is `ref_ms=<median> tokens_per_s=<x>`.

Needs torch and transformers (testdata/checkpoints/requirements.txt pins the versions used here).
"""
import argparse
import statistics
import sys
import time


import thread_pools  # noqa: E402  (bounds the BLAS and OpenMP pools before torch loads)

thread_pools.bound(sys.argv)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402

SPARSE_BLOCKS = ("SparseMoeBlock", "MoE", "SparseMLP")


def make(args):
    dtype = {"f32": torch.float32, "bf16": torch.bfloat16, "fp8": torch.float32}[args.dtype]
    common = dict(hidden_size=args.d_model, num_hidden_layers=1, num_attention_heads=8, num_key_value_heads=8,
                  vocab_size=64, max_position_embeddings=64)
    if args.family == "mixtral":
        config = transformers.MixtralConfig(intermediate_size=args.d_ff, num_local_experts=args.experts,
                                            num_experts_per_tok=args.top_k, **common)
    elif args.family == "qwen3_moe":
        config = transformers.Qwen3MoeConfig(moe_intermediate_size=args.d_ff, intermediate_size=args.d_ff,
                                             num_experts=args.experts, num_experts_per_tok=args.top_k,
                                             norm_topk_prob=True, **common)
    elif args.family == "olmoe":
        config = transformers.OlmoeConfig(intermediate_size=args.d_ff, num_experts=args.experts,
                                          num_experts_per_tok=args.top_k, **common)
    else:
        sys.exit("make: --family must be mixtral, qwen3_moe or olmoe")
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(config).eval()
    model.to(dtype).save_pretrained(args.out)
    if args.dtype == "fp8":
        quantize_fp8(args.out, 128)
    print(f"wrote {args.out}: {args.family}, d_model {args.d_model}, d_ff {args.d_ff}, {args.experts} experts, "
          f"top-{args.top_k}, {args.dtype}")


def quantize_fp8(folder, block):
    """Every matrix of the experts and projections (not the router, embeddings or lm_head) as e4m3 with a
    float32 `weight_scale_inv` per [block, block] block (max|w| / 448), and quantization_config."""
    import json
    import os
    from safetensors import safe_open
    from safetensors.torch import save_file
    path = os.path.join(folder, "model.safetensors")
    with safe_open(path, "pt") as f:
        meta = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    for k in [k for k in tensors if k.endswith(".weight") and tensors[k].dim() == 2 and
              (".experts." in k or k.endswith("_proj.weight"))]:
        w = tensors[k]
        r, c = w.shape
        if r % block or c % block:
            continue
        blocks = w.reshape(r // block, block, c // block, block)
        scale = blocks.abs().amax(dim=(1, 3)).clamp(min=1e-12) / 448.0
        tensors[k] = (blocks / scale[:, None, :, None]).reshape(r, c).to(torch.float8_e4m3fn).contiguous()
        tensors[k + "_scale_inv"] = scale.to(torch.float32).contiguous()
    save_file(tensors, path, metadata=meta)
    cpath = os.path.join(folder, "config.json")
    cfg = json.load(open(cpath))
    cfg["quantization_config"] = {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
                                  "weight_block_size": [block, block]}
    with open(cpath, "w") as f:
        json.dump(cfg, f, indent=2)


def sparse_block(model, layer):
    blocks = [m for _, m in model.named_modules() if type(m).__name__.endswith(SPARSE_BLOCKS)
              and not type(m).__name__.endswith("Experts")]
    if layer >= len(blocks):
        sys.exit(f"time: --layer {layer}: the model has {len(blocks)} sparse blocks")
    return blocks[layer]


def tokens(args, d):
    if args.input:
        return torch.from_numpy(np.load(args.input).astype(np.float32))
    generator = np.random.default_rng(1)
    return torch.from_numpy(generator.standard_normal((args.tokens, d)).astype(np.float32))


def time_block(args):
    torch.set_num_threads(int(args.threads))
    dtype = {"f32": torch.float32, "bf16": torch.bfloat16}[args.dtype]
    kwargs = {"dtype": dtype}
    if args.experts_impl != "default":
        kwargs["experts_implementation"] = args.experts_impl
    model = transformers.AutoModel.from_pretrained(args.model, **kwargs).eval()
    block = sparse_block(model, args.layer)
    x = tokens(args, model.config.hidden_size)
    x3 = x.view(1, x.shape[0], x.shape[1]).to(dtype)
    with torch.inference_mode():
        for _ in range(args.warmup):
            block(x3)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            out = block(x3)
            times.append((time.perf_counter() - start) * 1e3)
    y = out[0] if isinstance(out, tuple) else out
    if args.output:
        np.save(args.output, y.reshape(x.shape[0], -1).float().numpy())
    ms = statistics.median(times)
    print(f"{type(block).__name__} ({args.experts_impl} experts, {args.dtype}), {x.shape[0]} tokens, "
          f"{args.threads} thread(s): "
          f"p50 {ms:.3f} ms over {args.runs} runs")
    print(f"ref_ms={ms:.3f} tokens_per_s={x.shape[0] / ms * 1e3:.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("--out", required=True)
    m.add_argument("--family", default="mixtral")
    m.add_argument("--d-model", type=int, default=1024)
    m.add_argument("--d-ff", type=int, default=3584)
    m.add_argument("--experts", type=int, default=8)
    m.add_argument("--top-k", type=int, default=2)
    m.add_argument("--dtype", default="f32")
    t = sub.add_parser("time")
    t.add_argument("--model", required=True)
    t.add_argument("--layer", type=int, default=0)
    t.add_argument("--tokens", type=int, default=4096)
    t.add_argument("--input")
    t.add_argument("--threads", default="1")
    t.add_argument("--warmup", type=int, default=3)
    t.add_argument("--runs", type=int, default=10)
    t.add_argument("--experts-impl", default="default")
    t.add_argument("--dtype", choices=["f32", "bf16"], default="f32",
                   help="compute type: f32 (the reference) or bf16 (the peer of the native backend's bf16 products)")
    t.add_argument("--output")
    args = parser.parse_args()
    make(args) if args.command == "make" else time_block(args)


if __name__ == "__main__":
    main()
