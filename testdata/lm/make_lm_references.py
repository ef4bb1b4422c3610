#!/usr/bin/env python3
"""Writes whole-model logits of the decoder-only checkpoints in ../checkpoints.

Usage: /work/venv-hf/bin/python make_lm_references.py [OUTDIR]   (default: this file's folder)

For each case, OUTDIR/<case>/ids.npy int32 [B, L] (random ids from the
vocabulary, fixed seed) and OUTDIR/<case>/logits.npy float32 [B, L, V], the
reference's `model(ids).logits` of
`AutoModelForCausalLM.from_pretrained(folder, dtype=float32, experts_implementation="eager")`
in eval mode. The ids are redrawn (same generator) until every routing choice
of every token in every sparse block is decided by a probability margin above
MIN_MARGIN, so a float32 reimplementation picks the same experts. Deterministic:
CPU, one thread, deterministic algorithms.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM

torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)

CASES = ["mixtral", "qwen2_moe", "qwen3_moe", "olmoe"]
# Sliding-window cases: a checkpoint folder loaded with these config.json keys replaced (the Java tests
# copy the folder and write the same keys into its config.json).
WINDOW_CASES = {
    "mixtral_window": ("mixtral", dict(sliding_window=5)),
    "qwen2_moe_window": ("qwen2_moe", dict(use_sliding_window=True, sliding_window=4,
                                           layer_types=["sliding_attention", "full_attention",
                                                        "sliding_attention"])),
}
ROWS = 2
LENGTH = 12
SEED = 20240611
MIN_MARGIN = 1e-4
HERE = os.path.dirname(os.path.abspath(__file__))
CHECKPOINTS = os.path.join(HERE, "..", "checkpoints")


def routers(model):
    """The router modules (`mlp.gate`) of the sparse blocks, in layer order."""
    out = []
    for layer in model.model.layers:
        gate = getattr(layer.mlp, "gate", None)
        if gate is not None and hasattr(layer.mlp, "experts"):
            out.append(gate)
    return out


def smallest_margin(model, ids, top_k):
    """Smallest gap between the k-th and (k+1)-th router probability over tokens and sparse blocks."""
    seen = []
    hooks = [g.register_forward_hook(lambda m, args, out: seen.append(F.linear(args[0], m.weight)))
             for g in routers(model)]
    with torch.no_grad():
        model(ids)
    for h in hooks:
        h.remove()
    margin = float("inf")
    for logits in seen:
        probs = torch.softmax(logits.reshape(-1, logits.shape[-1]).double(), dim=-1)
        top = torch.topk(probs, top_k + 1, dim=-1).values
        margin = min(margin, float((top[:, top_k - 1] - top[:, top_k]).min()))
    return margin, len(seen)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else HERE
    runs = [(case, case, {}) for case in CASES] + [(c, f, o) for c, (f, o) in WINDOW_CASES.items()]
    for case, source, overrides in runs:
        folder = os.path.join(CHECKPOINTS, source)
        model = AutoModelForCausalLM.from_pretrained(
            folder, dtype=torch.float32, experts_implementation="eager", **overrides).eval()
        config = model.config
        gen = torch.Generator().manual_seed(SEED)
        for attempt in range(1, 1001):
            ids = torch.randint(0, config.vocab_size, (ROWS, LENGTH), generator=gen, dtype=torch.int64)
            margin, blocks = smallest_margin(model, ids, config.num_experts_per_tok)
            if margin > MIN_MARGIN:
                break
        else:
            raise SystemExit(f"{case}: no ids with routing margins above {MIN_MARGIN}")
        with torch.no_grad():
            logits = model(ids).logits.float()
        case_dir = os.path.join(out_dir, case)
        os.makedirs(case_dir, exist_ok=True)
        np.save(os.path.join(case_dir, "ids.npy"), ids.numpy().astype("<i4"))
        np.save(os.path.join(case_dir, "logits.npy"), logits.numpy().astype("<f4"))
        info = dict(model_type=config.model_type, checkpoint=source, config_overrides=overrides, rows=ROWS, length=LENGTH, vocab=config.vocab_size,
                    attempts=attempt, sparse_blocks=blocks, min_routing_margin=margin,
                    max_abs_logit=float(logits.abs().max()),
                    attn_implementation=config._attn_implementation)
        with open(os.path.join(case_dir, "info.json"), "w") as f:
            json.dump(info, f, indent=2, sort_keys=True)
            f.write("\n")
        print(case, json.dumps(info, sort_keys=True))


if __name__ == "__main__":
    main()
