#!/usr/bin/env python3
"""A Mixtral-shaped checkpoint folder with random weights, written with numpy alone (no torch):
config.json and model.safetensors in the layout `save_pretrained` writes, bfloat16 or float32.
For measurements that need a realistic size rather than transformers' reference outputs (memory
mapped vs heap when serving, load time); `hf_moe_layer.py make` writes the same shape with torch.

  python3 bench/scripts/numpy_mixtral_checkpoint.py --out DIR [--d-model 1024] [--d-ff 3584]
          [--experts 8] [--top-k 2] [--layers 1] [--dtype bf16|f32] [--seed 0]
"""
import argparse
import json
import os
import struct

import numpy as np


def bf16_bytes(a):
    """float32 -> bfloat16 bits, round to nearest even (as torch's .to(torch.bfloat16))."""
    bits = a.astype(np.float32).view(np.uint32)
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)
    return (rounded >> 16).astype(np.uint16).tobytes()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--d-model", type=int, default=1024)
    p.add_argument("--d-ff", type=int, default=3584)
    p.add_argument("--experts", type=int, default=8)
    p.add_argument("--top-k", type=int, default=2)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--dtype", choices=["bf16", "f32"], default="bf16")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    d, f, vocab, heads, kv = a.d_model, a.d_ff, 64, 8, 8
    head = d // heads
    shapes = {"model.embed_tokens.weight": (vocab, d), "lm_head.weight": (vocab, d), "model.norm.weight": (d,)}
    for i in range(a.layers):
        pre = f"model.layers.{i}."
        shapes[pre + "input_layernorm.weight"] = (d,)
        shapes[pre + "post_attention_layernorm.weight"] = (d,)
        for name, rows in (("q_proj", heads * head), ("k_proj", kv * head), ("v_proj", kv * head)):
            shapes[pre + f"self_attn.{name}.weight"] = (rows, d)
        shapes[pre + "self_attn.o_proj.weight"] = (d, heads * head)
        shapes[pre + "block_sparse_moe.gate.weight"] = (a.experts, d)
        for e in range(a.experts):
            ex = pre + f"block_sparse_moe.experts.{e}."
            shapes[ex + "w1.weight"] = (f, d)
            shapes[ex + "w3.weight"] = (f, d)
            shapes[ex + "w2.weight"] = (d, f)
    os.makedirs(a.out, exist_ok=True)
    dtype, width = ("BF16", 2) if a.dtype == "bf16" else ("F32", 4)
    header, offset = {}, 0
    for name in sorted(shapes):
        n = int(np.prod(shapes[name])) * width
        header[name] = {"dtype": dtype, "shape": list(shapes[name]), "data_offsets": [offset, offset + n]}
        offset += n
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(a.out, "model.safetensors"), "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for name in sorted(shapes):
            scale = 1.0 if name.endswith("norm.weight") else 1.0 / np.sqrt(shapes[name][-1])
            w = (rng.standard_normal(shapes[name], dtype=np.float32) * scale).astype(np.float32)
            if name.endswith("norm.weight"):
                w = np.ones(shapes[name], dtype=np.float32)
            out.write(bf16_bytes(w) if a.dtype == "bf16" else w.tobytes())
    config = {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": d,
              "intermediate_size": f, "num_local_experts": a.experts, "num_experts_per_tok": a.top_k,
              "num_hidden_layers": a.layers, "num_attention_heads": heads, "num_key_value_heads": kv,
              "vocab_size": vocab, "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "hidden_act": "silu",
              "rope_parameters": {"rope_theta": 1000000.0, "rope_type": "default"}, "sliding_window": None,
              "tie_word_embeddings": False, "router_jitter_noise": 0.0, "output_router_logits": False,
              "dtype": "bfloat16" if a.dtype == "bf16" else "float32"}
    with open(os.path.join(a.out, "config.json"), "w") as out:
        json.dump(config, out, indent=2)
    print(f"wrote {a.out}: {a.layers} layer(s), d {d}, d_ff {f}, {a.experts} experts, {dtype}, {offset} bytes")


if __name__ == "__main__":
    main()
