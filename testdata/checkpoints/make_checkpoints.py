#!/usr/bin/env python3
"""Writes tiny random Hugging Face MoE checkpoints and their reference outputs.

Usage: python make_checkpoints.py [OUTDIR]      (default: this file's folder)

Every case folder is written by `save_pretrained` of transformers 5.x (see
requirements.txt for the pinned versions), then post-processed where a case
needs a hub layout that save_pretrained does not write (fused experts,
hub-spelled config keys). References live in `<case>/reference/`; see
README.md for their meaning. Deterministic: fixed seeds, CPU, float32.
"""
import json
import math
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn
import transformers as T
from safetensors import safe_open
from safetensors.torch import save_file

torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)

TOKENS = 24
MIN_MARGIN = 1e-4

COMMON = dict(vocab_size=64, hidden_size=32, num_attention_heads=4, num_key_value_heads=2,
              max_position_embeddings=128, tie_word_embeddings=False)
MLA = dict(kv_lora_rank=16, q_lora_rank=None, qk_rope_head_dim=8, qk_nope_head_dim=8, v_head_dim=8)


# ---------------------------------------------------------------- cases

def cases():
    return [
        dict(name="mixtral", cls=T.MixtralForCausalLM, dtype="float32", form="per_expert",
             config=T.MixtralConfig(**COMMON, intermediate_size=48, num_hidden_layers=2,
                                    num_local_experts=4, num_experts_per_tok=2),
             family="softmax_topk", unavailable={0: [1, 3]}),
        dict(name="qwen2_moe", cls=T.Qwen2MoeForCausalLM, dtype="bfloat16", form="per_expert",
             config=T.Qwen2MoeConfig(**COMMON, intermediate_size=64, moe_intermediate_size=48,
                                     shared_expert_intermediate_size=40, num_hidden_layers=3,
                                     num_experts=8, num_experts_per_tok=4, norm_topk_prob=False,
                                     mlp_only_layers=[0], decoder_sparse_step=1),
             family="softmax_topk", hub_config=True),
        dict(name="qwen3_moe", cls=T.Qwen3MoeForCausalLM, dtype="float16", form="per_expert",
             config=T.Qwen3MoeConfig(**COMMON, head_dim=8, intermediate_size=64, moe_intermediate_size=48,
                                     num_hidden_layers=4, num_experts=8, num_experts_per_tok=2,
                                     norm_topk_prob=True, mlp_only_layers=[], decoder_sparse_step=2),
             family="softmax_topk", shard="48KB"),
        dict(name="olmoe", cls=T.OlmoeForCausalLM, dtype="float32", form="fused",
             config=T.OlmoeConfig(**COMMON, intermediate_size=32, num_hidden_layers=2, num_experts=8,
                                  num_experts_per_tok=2, norm_topk_prob=False,
                                  pad_token_id=1, bos_token_id=None, eos_token_id=2),
             family="softmax_topk"),
        dict(name="deepseek_v2", cls=T.DeepseekV2ForCausalLM, dtype="float32", form="per_expert",
             config=T.DeepseekV2Config(**COMMON, **MLA, intermediate_size=48, moe_intermediate_size=24,
                                       num_hidden_layers=3, n_routed_experts=8, num_experts_per_tok=3,
                                       n_shared_experts=2, first_k_dense_replace=1,
                                       topk_method="group_limited_greedy", n_group=4, topk_group=2,
                                       routed_scaling_factor=1.7),
             family="deepseek_v2"),
        dict(name="deepseek_v2_greedy", cls=T.DeepseekV2ForCausalLM, dtype="float32", form="per_expert",
             config=T.DeepseekV2Config(**COMMON, **MLA, intermediate_size=48, moe_intermediate_size=24,
                                       num_hidden_layers=3, n_routed_experts=8, num_experts_per_tok=2,
                                       n_shared_experts=1, first_k_dense_replace=1, topk_method="greedy",
                                       n_group=1, topk_group=1, routed_scaling_factor=0.8),
             family="deepseek_v2"),
        dict(name="deepseek_v3", cls=T.DeepseekV3ForCausalLM, dtype="float32", form="per_expert",
             config=T.DeepseekV3Config(**COMMON, **MLA, intermediate_size=48, moe_intermediate_size=16,
                                       num_hidden_layers=3, n_routed_experts=16, num_experts_per_tok=4,
                                       n_shared_experts=1, first_k_dense_replace=1, n_group=4,
                                       topk_group=2, routed_scaling_factor=2.5, norm_topk_prob=True),
             family="deepseek_v3", unavailable={0: [7, 11]}),
        dict(name="switch_transformers", cls=T.SwitchTransformersForConditionalGeneration,
             dtype="float32", form="per_expert",
             config=T.SwitchTransformersConfig(vocab_size=64, d_model=32, d_kv=8, d_ff=48, num_heads=4,
                                               num_layers=2, num_decoder_layers=2,
                                               num_sparse_encoder_layers=1, num_sparse_decoder_layers=1,
                                               num_experts=4, expert_capacity=2,
                                               relative_attention_num_buckets=8,
                                               relative_attention_max_distance=16,
                                               decoder_start_token_id=0),
             family="switch", batch=3, seq=8),
        dict(name="nllb-moe", cls=T.NllbMoeForConditionalGeneration, dtype="float32", form="per_expert",
             config=nllb_config(normalize_before=False, prioritized=True),
             family="nllb"),
        dict(name="nllb-moe_norm_before", cls=T.NllbMoeForConditionalGeneration, dtype="float32",
             form="per_expert", config=nllb_config(normalize_before=True, prioritized=False),
             family="nllb"),
        # DeepSeek-V3's own release format: e4m3 weights with [128, 128] block scales (here [8, 8])
        dict(name="deepseek_v3_fp8", cls=T.DeepseekV3ForCausalLM, dtype="float8_e4m3fn", form="per_expert",
             config=T.DeepseekV3Config(**COMMON, **MLA, intermediate_size=48, moe_intermediate_size=16,
                                       num_hidden_layers=3, n_routed_experts=16, num_experts_per_tok=4,
                                       n_shared_experts=1, first_k_dense_replace=1, n_group=4,
                                       topk_group=2, routed_scaling_factor=2.5, norm_topk_prob=True),
             family="deepseek_v3", fp8_block=8, unavailable={1: [2, 5]}),
        # Qwen3's fp8 releases quantize the attention projections too (not the router, not lm_head)
        dict(name="qwen3_moe_fp8", cls=T.Qwen3MoeForCausalLM, dtype="float8_e4m3fn", form="per_expert",
             config=T.Qwen3MoeConfig(**COMMON, head_dim=8, intermediate_size=64, moe_intermediate_size=48,
                                     num_hidden_layers=4, num_experts=8, num_experts_per_tok=2,
                                     norm_topk_prob=True, mlp_only_layers=[], decoder_sparse_step=2),
             family="softmax_topk", fp8_block=8, fp8_attention=True),
    ]


def nllb_config(normalize_before, prioritized):
    return T.NllbMoeConfig(vocab_size=64, d_model=32, encoder_layers=2, decoder_layers=2,
                           encoder_ffn_dim=48, decoder_ffn_dim=48, encoder_attention_heads=4,
                           decoder_attention_heads=4, max_position_embeddings=64, num_experts=4,
                           expert_capacity=64, encoder_sparse_step=2, decoder_sparse_step=2,
                           moe_eval_capacity_token_fraction=0.3, moe_token_dropout=0.2,
                           normalize_router_prob_before_dropping=normalize_before,
                           batch_prioritized_routing=prioritized, second_expert_policy="all",
                           router_dtype="float32")


# ---------------------------------------------------------------- weights

def randomize(model, seed):
    """Overwrites every parameter and float buffer with seeded values of a usable scale."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                if "norm" in name or name.endswith("layer_norm.weight") or "layernorm" in name:
                    p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
                else:
                    p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                scale = 1.0 / math.sqrt(p.shape[-1])
                if name.endswith(("gate.weight", "router.classifier.weight")) and "shared" not in name:
                    scale *= 3.0  # routers: well-separated choices
                p.copy_(scale * torch.randn(p.shape, generator=g))
        for name, b in model.named_buffers():
            if name.endswith("e_score_correction_bias"):
                b.copy_(0.6 * (torch.rand(b.shape, generator=g) - 0.5))


# ---------------------------------------------------------------- served layers

def served_blocks(model, family):
    """(prefix, module) of every sparse block, in the served order."""
    out = []
    for name, mod in model.named_modules():
        cls = type(mod).__name__
        if cls.endswith(("SparseMoeBlock", "Moe", "MoE", "SparseMLP")):
            out.append((name, mod))
    if family in ("switch", "nllb"):
        enc = [x for x in out if ".encoder." in "." + x[0] + "." or x[0].startswith("encoder.")]
        dec = [x for x in out if x not in enc]
        out = enc + dec
    return out


def router_of(block):
    return block.router if hasattr(block, "router") else block.gate


def nllb_reference(block, x, cfg):
    """transformers 4.x NllbMoeSparseMLP.forward in eval mode: the router of the
    modeling file (unchanged in 5.x) and the 4.x per-expert masked sum."""
    router = block.router
    hidden = x.reshape(-1, x.shape[-1])
    top_1_mask, router_probs, router_logits = router(hidden, None)
    router_mask = router_probs.bool()
    masked = torch.einsum("bm,be->ebm", hidden, router_mask)
    for idx in range(cfg.num_experts):
        expert = block.experts[f"expert_{idx}"]
        token_indices = router_mask[:, idx]
        combining_weights = router_probs[token_indices, idx]
        expert_output = expert(masked[idx, token_indices])
        if cfg.moe_token_dropout > 0:
            expert_output *= 1 - cfg.moe_token_dropout
        masked[idx, token_indices] = torch.einsum("b,be->be", combining_weights, expert_output)
    return masked.sum(dim=0), router_probs, router_logits


def run_layer(block, family, cfg, x, case):
    """Returns output [T,d], logits [T,E], expert [T,k] int32, gate [T,k], margin, drops."""
    captured = {}
    router = router_of(block)
    h = router.register_forward_hook(lambda m, i, o: captured.__setitem__("o", o))
    with torch.no_grad():
        if family == "nllb":
            out, probs, logits = nllb_reference(block, x, cfg)
            h.remove()
            p = torch.softmax(logits.float(), dim=-1)
            first = torch.argmax(p, dim=-1)
            second = torch.argmax(logits.masked_fill(
                nn.functional.one_hot(first, cfg.num_experts).bool(), float("-inf")), dim=-1)
            idx = torch.stack([first, second], dim=1)
            gate = probs.gather(1, idx)
            expert = torch.where(gate > 0, idx, torch.full_like(idx, -1))
            srt = p.sort(dim=-1, descending=True).values
            margins = [(srt[:, 0] - srt[:, 1]).min(), (srt[:, 1] - srt[:, 2]).min()]
            if cfg.batch_prioritized_routing:
                imp = srt[:, 0].sort().values
                margins.append((imp[1:] - imp[:-1]).min())
            margin = min(float(m) for m in margins)
            return out, logits, expert, gate, margin
        if family == "switch":
            b, s = case["batch"], case["seq"]
            out = block(x.reshape(b, s, -1)).reshape(-1, x.shape[-1])
            h.remove()
            onehot, rprobs, logits = captured["o"]
            onehot = onehot.reshape(-1, cfg.num_experts)
            logits = logits.reshape(-1, cfg.num_experts)
            kept = onehot.sum(-1) > 0
            idx = torch.argmax(onehot, dim=-1)
            expert = torch.where(kept, idx, torch.full_like(idx, -1))[:, None]
            gate = torch.where(kept, rprobs.reshape(-1), torch.zeros(())).reshape(-1, 1)
            srt = torch.softmax(logits, -1).sort(dim=-1, descending=True).values
            return out, logits, expert, gate, float((srt[:, 0] - srt[:, 1]).min())
        out = block(x[None]).reshape(-1, x.shape[-1])
        h.remove()
        logits, weights, indices = captured["o"]
        k = indices.shape[-1]
        if family == "softmax_topk" or (family == "deepseek_v2" and router.topk_method == "greedy"):
            srt = torch.softmax(logits.float(), -1).sort(dim=-1, descending=True).values
            margin = float((srt[:, k - 1] - srt[:, k]).min())
        elif family == "deepseek_v2":
            scores = torch.softmax(logits.float(), -1)
            gs = scores.view(-1, router.num_group, router.num_experts // router.num_group).max(-1).values
            gsrt = gs.sort(dim=-1, descending=True).values
            m1 = (gsrt[:, router.topk_group - 1] - gsrt[:, router.topk_group]).min()
            keep = torch.zeros_like(gs).scatter_(1, gs.topk(router.topk_group, dim=-1)[1], 1)
            mask = keep.unsqueeze(-1).expand(-1, router.num_group, router.num_experts // router.num_group)
            masked = scores.masked_fill(~mask.reshape(-1, router.num_experts).bool(), 0.0)
            srt = masked.sort(dim=-1, descending=True).values
            margin = float(min(m1, (srt[:, k - 1] - srt[:, k]).min()))
        elif family == "deepseek_v3":
            sc = logits.float().sigmoid() + router.e_score_correction_bias
            gs = sc.view(-1, router.num_group, router.num_experts // router.num_group).topk(2, dim=-1)[0].sum(-1)
            gsrt = gs.sort(dim=-1, descending=True).values
            m1 = (gsrt[:, router.topk_group - 1] - gsrt[:, router.topk_group]).min()
            keep = torch.zeros_like(gs).scatter_(1, gs.topk(router.topk_group, dim=-1)[1], 1)
            mask = keep.unsqueeze(-1).expand(-1, router.num_group, router.num_experts // router.num_group)
            masked = sc.masked_fill(~mask.reshape(-1, router.num_experts).bool(), float("-inf"))
            srt = masked.sort(dim=-1, descending=True).values
            margin = float(min(m1, (srt[:, k - 1] - srt[:, k]).min()))
            # the correction bias must change some selection (it matters in the fixture)
            plain = logits.float().sigmoid().masked_fill(~mask.reshape(-1, router.num_experts).bool(),
                                                         float("-inf")).topk(k, dim=-1)[1]
            case["_bias_changes"] = int((plain.sort(-1).values != indices.sort(-1).values).any(-1).sum())
        return out, logits, indices.to(torch.int32), weights.float(), margin


def degraded(block, family, x, unavailable):
    """§9 degraded answer: unavailable experts' assignments dropped (the experts
    module's own sentinel index E), other weights kept, shared experts kept."""
    router = router_of(block)
    with torch.no_grad():
        _, w, idx = router(x)
        e = block.experts.num_experts
        bad = torch.zeros_like(idx, dtype=torch.bool)
        for u in unavailable:
            bad |= idx == u
        idx2 = torch.where(bad, torch.full_like(idx, e), idx)
        out = block.experts(x, idx2, w)
        if hasattr(block, "shared_experts"):
            out = out + block.shared_experts(x)
        if hasattr(block, "shared_expert"):
            out = out + torch.sigmoid(block.shared_expert_gate(x)) * block.shared_expert(x)
    return out


def block_info(block, family, cfg):
    if family == "nllb":
        return cfg.num_experts, 2, 0
    if family == "switch":
        return cfg.num_experts, 1, 0
    r = router_of(block)
    shared = 0
    if hasattr(block, "shared_expert"):
        shared = 1
    if hasattr(block, "shared_experts"):
        shared = cfg.n_shared_experts
    return r.num_experts, r.top_k, shared


# ---------------------------------------------------------------- checkpoint post-processing

def st_files(folder):
    idx = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(idx):
        return sorted(set(json.load(open(idx))["weight_map"].values()))
    return ["model.safetensors"]


def fuse_experts(folder, blocks):
    """Rewrites per-expert tensors as fused experts.gate_up_proj [E,2F,d] (gate rows
    first) and experts.down_proj [E,d,F], as recent hub checkpoints store them."""
    (fname,) = st_files(folder)
    path = os.path.join(folder, fname)
    with safe_open(path, "pt") as f:
        meta = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    for prefix, block in blocks:
        e = block.experts.num_experts
        gate = [tensors.pop(f"{prefix}.experts.{j}.gate_proj.weight") for j in range(e)]
        up = [tensors.pop(f"{prefix}.experts.{j}.up_proj.weight") for j in range(e)]
        down = [tensors.pop(f"{prefix}.experts.{j}.down_proj.weight") for j in range(e)]
        tensors[f"{prefix}.experts.gate_up_proj"] = torch.stack(
            [torch.cat([a, b], dim=0) for a, b in zip(gate, up)]).contiguous()
        tensors[f"{prefix}.experts.down_proj"] = torch.stack(down).contiguous()
    save_file(tensors, path, metadata=meta)


def quantize_fp8(folder, block, attention):
    """Rewrites every MLP and expert matrix (not the router), and with `attention` the attention
    projections too, as fp8 releases store them: float8_e4m3fn values and a float32
    `weight_scale_inv` per [block, block] block, the block's max|w| / 448, with
    `quantization_config` naming the method in config.json."""
    (fname,) = st_files(folder)
    path = os.path.join(folder, fname)
    with safe_open(path, "pt") as f:
        meta = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    def quantized(k):
        return k.endswith("_proj.weight") and (".mlp." in k or (attention and ".self_attn." in k))

    for k in [k for k in tensors if quantized(k)]:
        w = tensors[k]
        r, c = w.shape
        blocks = w.reshape(r // block, block, c // block, block)
        scale = blocks.abs().amax(dim=(1, 3)) / 448.0
        tensors[k] = (blocks / scale[:, None, :, None]).reshape(r, c).to(torch.float8_e4m3fn).contiguous()
        tensors[k + "_scale_inv"] = scale.to(torch.float32).contiguous()
    save_file(tensors, path, metadata=meta)
    cpath = os.path.join(folder, "config.json")
    cfg = json.load(open(cpath))
    cfg["quantization_config"] = {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
                                  "weight_block_size": [block, block]}
    with open(cpath, "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def hub_spell_config(folder):
    """config.json in the hub spelling: rope_theta/rope_scaling instead of rope_parameters."""
    path = os.path.join(folder, "config.json")
    cfg = json.load(open(path))
    rp = cfg.pop("rope_parameters")
    assert rp.get("rope_type", "default") == "default", rp
    cfg["rope_theta"] = rp["rope_theta"]
    cfg["rope_scaling"] = None
    with open(path, "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def checkpoint_keys(folder):
    keys = set()
    for fn in st_files(folder):
        with safe_open(os.path.join(folder, fn), "pt") as f:
            keys |= set(f.keys())
    return keys


def save_npy(path, arr, dtype):
    arr = np.ascontiguousarray(np.asarray(arr, dtype=np.dtype(dtype).newbyteorder("<")))
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=(1, 0), allow_pickle=False)


# ---------------------------------------------------------------- main

def make_case(case, outdir, seed):
    name, family, cfg = case["name"], case["family"], case["config"]
    folder = os.path.join(outdir, name)
    if os.path.exists(folder):
        shutil.rmtree(folder)
    torch.manual_seed(seed)
    model = case["cls"](cfg).eval()
    model.set_experts_implementation("eager") if family not in ("switch", "nllb") else None
    randomize(model, seed)
    store = getattr(torch, case["dtype"])
    if store != torch.float32 and "fp8_block" not in case:
        model = model.to(store)  # the stored weights; the reference uses them widened
    save_kw = {"max_shard_size": case["shard"]} if "shard" in case else {}
    model.save_pretrained(folder, **save_kw)
    model = model.float().eval()
    if "fp8_block" in case:
        quantize_fp8(folder, case["fp8_block"], case.get("fp8_attention", False))
        # the reference: transformers' own load of the fp8 folder on a CPU (weights dequantized to float32)
        model = T.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32,
                                                       experts_implementation="eager").eval()
    blocks = served_blocks(model, family)
    if case["form"] == "fused":
        fuse_experts(folder, blocks)
    if case.get("hub_config"):
        hub_spell_config(folder)
    keys = checkpoint_keys(folder)

    refdir = os.path.join(folder, "reference")
    os.makedirs(refdir)
    layers = []
    g = torch.Generator().manual_seed(seed + 1000)
    for L, (prefix, block) in enumerate(blocks):
        # the checkpoint prefix: save_pretrained may rename the module path (Mixtral's
        # `mlp` is written as the hub's `block_sparse_moe`)
        ckpt = [c for c in dict.fromkeys((prefix, prefix.replace(".mlp", ".block_sparse_moe")))
                if any(k.startswith(c + ".") for k in keys)]
        assert len(ckpt) == 1, (prefix, ckpt)
        e, k, shared = block_info(block, family, cfg)
        for attempt in range(50):
            x = torch.randn(TOKENS, cfg.hidden_size if hasattr(cfg, "hidden_size") else cfg.d_model,
                            generator=g)
            out, logits, expert, gate, margin = run_layer(block, family, cfg, x, case)
            if margin > MIN_MARGIN and (family != "deepseek_v3" or case.get("_bias_changes", 0) > 0):
                break
        else:
            raise SystemExit(f"{name} layer {L}: no input with margin > {MIN_MARGIN}")
        dropped = int((expert < 0).sum())
        entry = {"index": L, "prefix": ckpt[0], "module": prefix, "experts": e, "top_k": k, "shared_experts": shared,
                 "group_size": case["seq"] if family == "switch" else (TOKENS if family == "nllb" else None),
                 "tokens": TOKENS, "max_abs_output": float(out.abs().max()),
                 "min_deciding_margin": margin, "dropped_assignments": dropped}
        if family == "deepseek_v3":
            entry["tokens_where_bias_changes_choice"] = case.pop("_bias_changes")
        save_npy(f"{refdir}/layer{L}.input.npy", x.numpy(), "<f4")
        save_npy(f"{refdir}/layer{L}.router_logits.npy", logits.float().numpy(), "<f4")
        save_npy(f"{refdir}/layer{L}.expert.npy", expert.numpy(), "<i4")
        save_npy(f"{refdir}/layer{L}.gate.npy", gate.numpy(), "<f4")
        save_npy(f"{refdir}/layer{L}.output.npy", out.numpy(), "<f4")
        if L in case.get("unavailable", {}):
            u = case["unavailable"][L]
            dout = degraded(block, family, x, u)
            save_npy(f"{refdir}/layer{L}.output_unavailable.npy", dout.numpy(), "<f4")
            entry["unavailable_experts"] = u
        if family == "nllb":
            with torch.no_grad():
                v5 = block(x[None]).reshape(x.shape)
            entry["transformers5_module_max_abs_diff"] = float((v5 - out).abs().max())
        layers.append(entry)
    meta = {"model_type": json.load(open(os.path.join(folder, "config.json")))["model_type"],
            "dtype": case["dtype"], "expert_form": case["form"],
            "config_spelling": "hub" if case.get("hub_config") else "save_pretrained",
            "safetensors_files": st_files(folder), "layers": layers}
    with open(os.path.join(refdir, "layers.json"), "w") as f:
        f.write(json.dumps(meta, indent=2) + "\n")
    return meta


def self_check(case, outdir):
    """Reloads the folder with transformers itself and recomputes every served layer."""
    name, family = case["name"], case["family"]
    folder = os.path.join(outdir, name)
    auto = T.AutoModelForSeq2SeqLM if family in ("switch", "nllb") else T.AutoModelForCausalLM
    kw = {} if family in ("switch", "nllb") else {"experts_implementation": "eager"}
    model, info = auto.from_pretrained(folder, dtype=torch.float32, output_loading_info=True, **kw)
    model.eval()
    bad = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
    assert not bad, (name, bad)
    meta = json.load(open(os.path.join(folder, "reference", "layers.json")))
    blocks = served_blocks(model, family)
    assert [p for p, _ in blocks] == [l["module"] for l in meta["layers"]]
    drops = 0
    for l, (prefix, block) in zip(meta["layers"], blocks):
        L = l["index"]
        ref = lambda s: torch.from_numpy(np.load(f"{folder}/reference/layer{L}.{s}.npy"))
        x = ref("input")
        out, logits, expert, gate, margin = run_layer(block, family, model.config, x, dict(case))
        assert torch.equal(expert, ref("expert")), (name, L)
        assert torch.equal(logits.float(), ref("router_logits")), (name, L)
        assert torch.equal(gate, ref("gate")), (name, L)
        assert torch.equal(out, ref("output")), (name, L)
        if "unavailable_experts" in l:
            assert torch.equal(degraded(block, family, x, l["unavailable_experts"]), ref("output_unavailable"))
        drops += l["dropped_assignments"]
    if family not in ("switch", "nllb"):
        # the default experts kernel (grouped_mm where available) agrees within §9's tolerance
        model2 = auto.from_pretrained(folder, dtype=torch.float32).eval()
        for l, (prefix, block) in zip(meta["layers"], served_blocks(model2, family)):
            L = l["index"]
            x = torch.from_numpy(np.load(f"{folder}/reference/layer{L}.input.npy"))
            with torch.no_grad():
                o = block(x[None]).reshape(x.shape)
            r = np.load(f"{folder}/reference/layer{L}.output.npy")
            assert float((o - torch.from_numpy(r)).abs().max()) <= 1e-5 * float(np.abs(r).max()), (name, L)
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(folder) for f in fs)
    print(f"{name:22s} {meta['model_type']:20s} {meta['dtype']:8s} {meta['expert_form']:10s} "
          f"files={len(meta['safetensors_files'])} layers={len(meta['layers'])} "
          f"k={meta['layers'][0]['top_k']} drops={drops} "
          f"min_margin={min(l['min_deciding_margin'] for l in meta['layers']):.2e} "
          f"reload=bit-identical size={size / 1024:.0f}KiB")


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    T.logging.set_verbosity_error()
    T.utils.logging.disable_progress_bar()
    all_cases = cases()
    for i, case in enumerate(all_cases):
        make_case(case, outdir, seed=1000 + 17 * i)
    for case in all_cases:
        self_check(case, outdir)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import check_references
    sys.argv = [sys.argv[0], outdir]
    check_references.main()


if __name__ == "__main__":
    main()
