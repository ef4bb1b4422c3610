#!/usr/bin/env python3
"""Independent cross-check of the references against docs/contracts.md §9's text.

Reads each case folder as a reader of the checkpoint would (config.json in
either spelling, safetensors in one file or shards, experts per name or
fused), recomputes every served layer in float64 numpy from the §9 rules (no
transformers code), and compares with reference/: the same experts (and
drops) for every token, gates and outputs within 1e-5 * max|reference|.

Usage: python check_references.py [DIR]   (default: this file's folder)
"""
import json
import math
import os
import sys

import numpy as np
import torch
from safetensors import safe_open

CASES = ["mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v2", "deepseek_v2_greedy",
         "deepseek_v3", "deepseek_v3_fp8", "qwen3_moe_fp8", "switch_transformers", "nllb-moe",
         "nllb-moe_norm_before"]


def load(folder):
    idx = os.path.join(folder, "model.safetensors.index.json")
    files = sorted(set(json.load(open(idx))["weight_map"].values())) if os.path.exists(idx) else ["model.safetensors"]
    raw = {}
    for fn in files:
        with safe_open(os.path.join(folder, fn), "pt") as f:
            for k in f.keys():
                raw[k] = f.get_tensor(k)
    w = {}
    for k, t in raw.items():
        if k.endswith("_scale_inv"):
            continue
        if t.dtype == torch.float8_e4m3fn:
            # §9 fp8: the e4m3 value times its block's scale, one float32 product
            s = raw[k + "_scale_inv"].to(torch.float32)
            r, c = t.shape
            br, bc = r // s.shape[0], c // s.shape[1]
            q = t.to(torch.float32).reshape(s.shape[0], br, s.shape[1], bc)
            t = (q * s[:, None, :, None]).reshape(r, c)
        w[k] = t.to(torch.float64).numpy()  # exact widening
    return w


def silu(v):
    return v / (1.0 + np.exp(-v))


def softmax(v):
    e = np.exp(v - v.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def served(cfg):
    mt = cfg["model_type"]
    if mt in ("switch_transformers", "nllb-moe"):
        out = []
        for side, n in (("encoder", cfg.get("num_layers", cfg.get("encoder_layers"))),
                        ("decoder", cfg.get("num_decoder_layers", cfg.get("decoder_layers")))):
            if mt == "switch_transformers":
                step = cfg[f"{side}_sparse_step"]
                sub = 1 if side == "encoder" else 2
                out += [f"{side}.block.{i}.layer.{sub}.mlp" for i in range(n)
                        if step > 0 and (i % step == 1 or step == 1)]
            else:
                step = cfg[f"{side}_sparse_step"]
                out += [f"model.{side}.layers.{i}.ffn" for i in range(n) if step > 0 and (i + 1) % step == 0]
        return out
    n = cfg["num_hidden_layers"]
    if mt == "mixtral":
        return [f"model.layers.{i}.block_sparse_moe" for i in range(n)]
    if mt in ("qwen2_moe", "qwen3_moe"):
        return [f"model.layers.{i}.mlp" for i in range(n) if i not in cfg.get("mlp_only_layers", [])
                and (i + 1) % cfg.get("decoder_sparse_step", 1) == 0]
    if mt.startswith("deepseek"):
        return [f"model.layers.{i}.mlp" for i in range(n) if i >= cfg.get("first_k_dense_replace", 0)]
    return [f"model.layers.{i}.mlp" for i in range(n)]


def swiglu_experts(w, p, e):
    """[(gate, up, down)] per expert, per-name or fused."""
    if f"{p}.experts.gate_up_proj" in w:
        gu, dn = w[f"{p}.experts.gate_up_proj"], w[f"{p}.experts.down_proj"]
        f = gu.shape[1] // 2
        return [(gu[j, :f], gu[j, f:], dn[j]) for j in range(e)]
    if f"{p}.experts.0.w1.weight" in w:
        return [(w[f"{p}.experts.{j}.w1.weight"], w[f"{p}.experts.{j}.w3.weight"],
                 w[f"{p}.experts.{j}.w2.weight"]) for j in range(e)]
    return [(w[f"{p}.experts.{j}.gate_proj.weight"], w[f"{p}.experts.{j}.up_proj.weight"],
             w[f"{p}.experts.{j}.down_proj.weight"]) for j in range(e)]


def swiglu(x, g, u, d):
    return (silu(x @ g.T) * (x @ u.T)) @ d.T


def layer(cfg, w, p, x):
    """-> logits, expert [T,k], gate [T,k], output"""
    mt = cfg["model_type"]
    t = x.shape[0]
    if mt == "switch_transformers":
        e, cap, s = cfg["num_experts"], cfg["expert_capacity"], GROUP
        logits = x @ w[f"{p}.router.classifier.weight"].T
        pr = softmax(logits)
        choice = pr.argmax(-1)
        expert = np.full((t, 1), -1)
        gate = np.zeros((t, 1))
        out = np.zeros_like(x)
        for start in range(0, t, s):
            count = np.zeros(e, int)
            for i in range(start, start + s):
                c = choice[i]
                count[c] += 1
                if count[c] <= cap:
                    expert[i, 0], gate[i, 0] = c, pr[i, c]
                    h = np.maximum(x[i] @ w[f"{p}.experts.expert_{c}.wi.weight"].T, 0)
                    out[i] = pr[i, c] * (h @ w[f"{p}.experts.expert_{c}.wo.weight"].T)
        return logits, expert, gate, out
    if mt == "nllb-moe":
        e = cfg["num_experts"]
        logits = x @ w[f"{p}.router.classifier.weight"].T
        pr = softmax(logits)
        first = pr.argmax(-1)
        masked = pr.copy()
        masked[np.arange(t), first] = -np.inf
        second = masked.argmax(-1)
        p1, p2 = pr[np.arange(t), first], pr[np.arange(t), second]
        if cfg["normalize_router_prob_before_dropping"]:
            p1, p2 = p1 / (p1 + p2), p2 / (p1 + p2)
        cap = math.ceil(cfg["moe_eval_capacity_token_fraction"] * t)
        order = np.argsort(-pr.max(-1), kind="stable") if cfg["batch_prioritized_routing"] else np.arange(t)
        keep1, keep2 = np.zeros(t, bool), np.zeros(t, bool)
        used = np.zeros(e, int)
        for i in order:
            keep1[i] = used[first[i]] < cap
            used[first[i]] += 1
        for i in order:
            keep2[i] = used[second[i]] < cap
            used[second[i]] += 1
        g1, g2 = p1 * keep1, p2 * keep2
        if not cfg["normalize_router_prob_before_dropping"]:
            den = np.maximum(g1 + g2, np.finfo(np.float32).eps)
            g1, g2 = g1 / den, g2 / den
        expert = np.stack([np.where(g1 > 0, first, -1), np.where(g2 > 0, second, -1)], 1)
        gate = np.stack([g1, g2], 1)
        out = np.zeros_like(x)
        for i in range(t):
            for c, gg in sorted(  # ascending expert index
(expert[i, k], gate[i, k]) for k in (0, 1) if expert[i, k] >= 0):
                q = f"{p}.experts.expert_{c}"
                h = np.maximum(x[i] @ w[f"{q}.fc1.weight"].T + w[f"{q}.fc1.bias"], 0)
                out[i] += gg * (1 - cfg["moe_token_dropout"]) * (h @ w[f"{q}.fc2.weight"].T + w[f"{q}.fc2.bias"])
        return logits, expert, gate, out
    e = cfg.get("num_local_experts", cfg.get("num_experts", cfg.get("n_routed_experts")))
    k = cfg["num_experts_per_tok"]
    logits = x @ w[f"{p}.gate.weight"].T
    if mt == "deepseek_v3":
        sc = 1 / (1 + np.exp(-logits))
        choice = sc + w[f"{p}.gate.e_score_correction_bias"]
        ng, tg = cfg["n_group"], cfg["topk_group"]
        gs = np.sort(choice.reshape(t, ng, -1), -1)[..., -2:].sum(-1)
        keep = np.argsort(-gs, -1)[:, :tg]
        gm = np.zeros((t, ng), bool)
        np.put_along_axis(gm, keep, True, 1)
        choice = np.where(np.repeat(gm, e // ng, 1), choice, -np.inf)
        idx = np.argsort(-choice, -1)[:, :k]
        wt = np.take_along_axis(sc, idx, 1)
        if cfg.get("norm_topk_prob"):
            wt = wt / (wt.sum(-1, keepdims=True) + 1e-20)
        wt = wt * cfg["routed_scaling_factor"]
    elif mt == "deepseek_v2":
        sc = softmax(logits)
        if cfg["topk_method"] == "group_limited_greedy":
            ng, tg = cfg["n_group"], cfg["topk_group"]
            gs = sc.reshape(t, ng, -1).max(-1)
            gm = np.zeros((t, ng), bool)
            np.put_along_axis(gm, np.argsort(-gs, -1)[:, :tg], True, 1)
            sc = np.where(np.repeat(gm, e // ng, 1), sc, 0.0)
        idx = np.argsort(-sc, -1)[:, :k]
        wt = np.take_along_axis(sc, idx, 1) * cfg["routed_scaling_factor"]
    else:
        sc = softmax(logits)
        idx = np.argsort(-sc, -1)[:, :k]
        wt = np.take_along_axis(sc, idx, 1)
        if mt == "mixtral" or cfg.get("norm_topk_prob"):
            wt = wt / wt.sum(-1, keepdims=True)
    ex = swiglu_experts(w, p, e)
    out = np.zeros_like(x)
    for i in range(t):
        for j in np.argsort(idx[i]):  # ascending expert index
            out[i] += wt[i, j] * swiglu(x[i], *ex[idx[i, j]])
    if mt == "qwen2_moe":
        q = f"{p}.shared_expert"
        sh = swiglu(x, w[f"{q}.gate_proj.weight"], w[f"{q}.up_proj.weight"], w[f"{q}.down_proj.weight"])
        out += 1 / (1 + np.exp(-(x @ w[f"{p}.shared_expert_gate.weight"].T))) * sh
    if mt.startswith("deepseek"):
        q = f"{p}.shared_experts"
        out += swiglu(x, w[f"{q}.gate_proj.weight"], w[f"{q}.up_proj.weight"], w[f"{q}.down_proj.weight"])
    return logits, idx, wt, out, (ex, wt, idx)


def main():
    global GROUP
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for case in CASES:
        folder = os.path.join(root, case)
        cfg = json.load(open(os.path.join(folder, "config.json")))
        meta = json.load(open(os.path.join(folder, "reference", "layers.json")))
        w = load(folder)
        prefixes = served(cfg)
        assert prefixes == [l["prefix"] for l in meta["layers"]], (case, prefixes)
        worst = 0.0
        for l in meta["layers"]:
            L, p = l["index"], l["prefix"]
            ref = lambda s: np.load(f"{folder}/reference/layer{L}.{s}.npy")
            GROUP = l["group_size"]
            x = ref("input").astype(np.float64)
            res = layer(cfg, w, p, x)
            logits, expert, gate, out = res[:4]
            scale = np.abs(ref("output")).max()
            assert np.abs(logits - ref("router_logits")).max() <= 1e-5 * np.abs(logits).max(), (case, L)
            re, rg = ref("expert"), ref("gate")
            if cfg["model_type"] in ("switch_transformers", "nllb-moe"):
                assert (expert == re).all(), (case, L, expert, re)
                assert np.abs(gate - rg).max() <= 1e-5, (case, L)
            else:  # top-k: same set; gates matched per expert
                o1, o2 = np.argsort(expert, 1), np.argsort(re, 1)
                assert (np.take_along_axis(expert, o1, 1) == np.take_along_axis(re, o2, 1)).all(), (case, L)
                assert np.abs(np.take_along_axis(gate, o1, 1) - np.take_along_axis(rg, o2, 1)).max() <= 1e-5
            err = np.abs(out - ref("output")).max() / scale
            assert err <= 1e-5, (case, L, err)
            worst = max(worst, err)
            if "unavailable_experts" in l:
                ex, wt, idx = res[4]
                dout = out.copy()
                for i in range(x.shape[0]):
                    for j in range(idx.shape[1]):
                        if idx[i, j] in l["unavailable_experts"]:
                            dout[i] -= wt[i, j] * swiglu(x[i], *ex[idx[i, j]])
                derr = np.abs(dout - ref("output_unavailable")).max() / scale
                assert derr <= 1e-5, (case, L, derr)
        print(f"{case:22s} §9 cross-check ok: {len(meta['layers'])} layers, worst |out-ref|/max|ref| = {worst:.1e}")


if __name__ == "__main__":
    main()
