"""Writes the word-level tokenizer of the tiny checkpoints (vocabulary 64) and the text references.

The checkpoints of ../../checkpoints have a vocabulary of 64 ids and no tokenizer; these files give them
one so text can go in and out. The tokenizer is a `tokenizers` WordLevel model: ids 0-2 are the special
tokens <unk>, <s>, </s>; ids 3-63 are words; whitespace splits words and punctuation; decoding joins
tokens with one space (no decoder), as the library does. `reference.json` is derived from transformers'
greedy ids (../<case>/greedy.npy) by looking the ids up in the vocabulary: the prompt text of each row,
its ids, the new ids and their text as transformers' text-generation
pipeline cuts it: decode(prompt + new) after decode(prompt), so here with a leading space. Deterministic; run: python3 testdata/lm/text/make_text_fixture.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SPECIAL = ["<unk>", "<s>", "</s>"]
WORDS = ("user assistant system : the a of to and in is it you that he was for on are with as his they at be "
         "this have from or one had by word but not what all were we when your can said there use an each which "
         "she do how their if will up other about out many then them these so some her would make like him "
         "into").split()
VOCAB = SPECIAL + WORDS[:61]
assert len(VOCAB) == 64 and len(set(VOCAB)) == 64

tokenizer = {
    "version": "1.0",
    "truncation": None,
    "padding": None,
    "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True} for i, t in enumerate(SPECIAL)],
    "normalizer": None,
    "pre_tokenizer": {"type": "Whitespace"},
    "post_processor": None,
    "decoder": None,
    "model": {"type": "WordLevel", "vocab": {t: i for i, t in enumerate(VOCAB)}, "unk_token": "<unk>"},
}
config = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "pad_token": None,
    "tokenizer_class": "PreTrainedTokenizerFast",
    "chat_template": ("{% for message in messages %}{{ message['role'] }} : {{ message['content'] }} "
                      "{{ eos_token }} {% endfor %}{% if add_generation_prompt %}assistant :{% endif %}"),
}
with open(os.path.join(HERE, "tokenizer.json"), "w") as f:
    json.dump(tokenizer, f, indent=1, ensure_ascii=False)
    f.write("\n")
with open(os.path.join(HERE, "tokenizer_config.json"), "w") as f:
    json.dump(config, f, indent=1)
    f.write("\n")

reference = {}
for case in ["mixtral", "qwen2_moe"]:
    prompts = np.load(os.path.join(HERE, "..", case, "prompts.npy"))
    greedy = np.load(os.path.join(HERE, "..", case, "greedy.npy"))
    rows = []
    for p, g in zip(prompts.tolist(), greedy.tolist()):
        prompt = [i for i in p if i >= 0]
        new = [i for i in g[len(prompt):] if i >= 0]
        # The continuation's text as transformers' text-generation pipeline cuts it (return_full_text=False):
        # decode(prompt + new) after decode(prompt). Decoding joins tokens with one space.
        head = " ".join(VOCAB[i] for i in prompt)
        full = " ".join(VOCAB[i] for i in prompt + new)
        rows.append({"prompt": " ".join(VOCAB[i] for i in prompt), "prompt_ids": prompt, "new_ids": new,
                     "text": full[len(head):]})
    reference[case] = rows
with open(os.path.join(HERE, "reference.json"), "w") as f:
    json.dump(reference, f, indent=1)
    f.write("\n")
