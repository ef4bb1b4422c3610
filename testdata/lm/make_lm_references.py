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

CASES = ["mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "qwen3_moe_fp8"]
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
PROMPT_ROWS = 3
PROMPT_LENGTH = 7
PROMPT_LENGTHS = [7, 4, 6]
NEW_TOKENS = 8
PROMPT_SEED = 20240612
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


def greedy_row(model, prompt):
    """Greedy ids after one prompt alone, and the smallest lead of a chosen logit over the next one."""
    with torch.no_grad():
        out = model.generate(prompt[None], do_sample=False, max_new_tokens=NEW_TOKENS,
                             return_dict_in_generate=True, output_logits=True)
    new = out.sequences[0, prompt.shape[0]:]
    margin = float("inf")
    for step in out.logits:
        top = torch.topk(step[0].double(), 2).values
        margin = min(margin, float(top[0] - top[1]))
    return new, margin


def write_generation(model, case_dir):
    """prompts.npy, greedy.npy and generate.json of one case (see the module's docstring)."""
    gen = torch.Generator().manual_seed(PROMPT_SEED)
    top_k = model.config.num_experts_per_tok
    for attempt in range(1, 1001):
        draws = torch.randint(0, model.config.vocab_size, (PROMPT_ROWS, PROMPT_LENGTH), generator=gen,
                              dtype=torch.int64)
        prompts = np.full((PROMPT_ROWS, PROMPT_LENGTH), -1, dtype="<i4")
        greedy = np.full((PROMPT_ROWS, PROMPT_LENGTH + NEW_TOKENS), -1, dtype="<i4")
        choice, routing = float("inf"), float("inf")
        for r, n in enumerate(PROMPT_LENGTHS):
            prompt = draws[r, :n]
            new, margin = greedy_row(model, prompt)
            choice = min(choice, margin)
            whole = torch.cat([prompt, new])
            routing = min(routing, smallest_margin(model, whole[None], top_k)[0])
            prompts[r, :n] = prompt.numpy()
            greedy[r, :n + new.shape[0]] = whole.numpy()
        if choice > MIN_MARGIN and routing > MIN_MARGIN:
            break
    else:
        raise SystemExit(f"{case_dir}: no prompts with greedy and routing margins above {MIN_MARGIN}")
    np.save(os.path.join(case_dir, "prompts.npy"), prompts)
    np.save(os.path.join(case_dir, "greedy.npy"), greedy)
    eos = model.generation_config.eos_token_id
    info = dict(prompt_lengths=PROMPT_LENGTHS, new_tokens=NEW_TOKENS, attempts=attempt,
                min_greedy_margin=choice, min_routing_margin=routing, eos_token_id=eos,
                new_lengths=[int((greedy[r] >= 0).sum()) - n for r, n in enumerate(PROMPT_LENGTHS)])
    with open(os.path.join(case_dir, "generate.json"), "w") as f:
        json.dump(info, f, indent=2, sort_keys=True)
        f.write("\n")
    return info


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
        print(case, json.dumps(write_generation(model, case_dir), sort_keys=True))


if __name__ == "__main__":
    main()
