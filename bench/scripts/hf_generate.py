#!/usr/bin/env python3
"""A decoder-only MoE language model, generated with transformers' own `generate` on the CPU: the peer
`switchyard bench decode` and `switchyard generate` are compared with.

  python bench/scripts/hf_generate.py make --out DIR [--family mixtral] [--d-model 512] [--d-ff 1024]
                                      [--layers 4] [--experts 8] [--top-k 2] [--vocab 32000]
  python bench/scripts/hf_generate.py time --model DIR [--batch 1] [--prompt 16] [--new 64]
                                      [--threads 1] [--runs 3]
  python bench/scripts/hf_generate.py prefill --model DIR [--prompt 512] [--threads 1]

`make` writes a small random checkpoint with save_pretrained (float32, with a generation_config whose
EOS no greedy run reaches, so every run makes --new tokens). `time` loads it in eval mode, float32,
and times greedy `generate` of --new tokens after a --prompt-token prompt for --batch rows; the last
line is `ref_tokens_per_s=<new tokens of all rows / median seconds> ref_ms_per_step=<x>`.
`prefill` times one forward pass over a --prompt-token prompt against --prompt cached single steps.

Needs torch and transformers (testdata/checkpoints/requirements.txt pins the versions used here).
"""
import argparse
import statistics
import sys
import time


import thread_pools  # noqa: E402  (bounds the BLAS and OpenMP pools before torch loads)

thread_pools.bound(sys.argv)

import torch  # noqa: E402
import transformers  # noqa: E402


def make(args):
    common = dict(hidden_size=args.d_model, num_hidden_layers=args.layers, num_attention_heads=8,
                  num_key_value_heads=4, vocab_size=args.vocab, max_position_embeddings=4096,
                  tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)
    if args.family == "mixtral":
        config = transformers.MixtralConfig(intermediate_size=args.d_ff, num_local_experts=args.experts,
                                            num_experts_per_tok=args.top_k, **common)
    elif args.family == "qwen3_moe":
        config = transformers.Qwen3MoeConfig(moe_intermediate_size=args.d_ff, intermediate_size=args.d_ff,
                                             num_experts=args.experts, num_experts_per_tok=args.top_k,
                                             norm_topk_prob=True, head_dim=args.d_model // 8, **common)
    elif args.family == "olmoe":
        config = transformers.OlmoeConfig(intermediate_size=args.d_ff, num_experts=args.experts,
                                          num_experts_per_tok=args.top_k, **common)
    else:
        sys.exit("make: --family must be mixtral, qwen3_moe or olmoe")
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(config).eval()
    model.save_pretrained(args.out)
    print(f"wrote {args.out}: {args.family}, d_model {args.d_model}, d_ff {args.d_ff}, {args.layers} layers, "
          f"{args.experts} experts, top-{args.top_k}, vocab {args.vocab}")


def load(args):
    torch.set_num_threads(int(args.threads))
    return transformers.AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()


def prompt_ids(model, batch, length):
    generator = torch.Generator().manual_seed(7)
    # ids from 3 up: never BOS, EOS or padding
    return torch.randint(3, model.config.vocab_size, (batch, length), generator=generator)


def time_generate(args):
    model = load(args)
    ids = prompt_ids(model, args.batch, args.prompt)
    mask = torch.ones_like(ids)
    kwargs = dict(attention_mask=mask, max_new_tokens=args.new, min_new_tokens=args.new, do_sample=False,
                  pad_token_id=0)
    with torch.inference_mode():
        model.generate(ids, **kwargs)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            out = model.generate(ids, **kwargs)
            times.append(time.perf_counter() - start)
    made = out.shape[1] - args.prompt
    seconds = statistics.median(times)
    print(f"generate: batch {args.batch}, prompt {args.prompt}, {made} new tokens, {args.threads} thread(s): "
          f"median {seconds * 1e3:.1f} ms over {args.runs} runs")
    print(f"ref_tokens_per_s={args.batch * made / seconds:.1f} ref_ms_per_step={seconds * 1e3 / made:.3f}")


def time_prefill(args):
    model = load(args)
    ids = prompt_ids(model, 1, args.prompt)
    with torch.inference_mode():
        model(ids)
        start = time.perf_counter()
        model(ids)
        one_pass = time.perf_counter() - start
        start = time.perf_counter()
        cache = None
        for i in range(args.prompt):
            out = model(ids[:, i:i + 1], past_key_values=cache, use_cache=True)
            cache = out.past_key_values
        steps = time.perf_counter() - start
    print(f"prefill of {args.prompt} positions: one pass {one_pass * 1e3:.1f} ms, "
          f"{args.prompt} steps {steps * 1e3:.1f} ms")
    print(f"ref_prefill_ms={one_pass * 1e3:.1f} ref_steps_ms={steps * 1e3:.1f} ratio={steps / one_pass:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("--out", required=True)
    m.add_argument("--family", default="mixtral")
    m.add_argument("--d-model", type=int, default=512)
    m.add_argument("--d-ff", type=int, default=1024)
    m.add_argument("--layers", type=int, default=4)
    m.add_argument("--experts", type=int, default=8)
    m.add_argument("--top-k", type=int, default=2)
    m.add_argument("--vocab", type=int, default=32000)
    for name in ("time", "prefill"):
        t = sub.add_parser(name)
        t.add_argument("--model", required=True)
        t.add_argument("--threads", default="1")
        t.add_argument("--prompt", type=int, default=16 if name == "time" else 512)
        if name == "time":
            t.add_argument("--batch", type=int, default=1)
            t.add_argument("--new", type=int, default=64)
            t.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    {"make": make, "time": time_generate, "prefill": time_prefill}[args.command](args)


if __name__ == "__main__":
    main()
