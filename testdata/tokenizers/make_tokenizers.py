"""Writes two tiny tokenizers trained by the `tokenizers` library, and their reference outputs.

    /work/venv-hf/bin/python testdata/tokenizers/make_tokenizers.py            # writes in place
    /work/venv-hf/bin/python testdata/tokenizers/make_tokenizers.py /tmp/tok   # or elsewhere

Folders (each a model directory's text files: tokenizer.json, tokenizer_config.json):

- qwen2-bytelevel: byte-level BPE laid out as transformers' Qwen2Converter writes it (NFC normalizer,
  Qwen2's split regex then ByteLevel without its own regex, ByteLevel decoder and post-processor);
  the special tokens <|endoftext|>, <|im_start|>, <|im_end|> after the vocabulary; no BOS.
- mixtral-bytefallback: BPE with byte fallback laid out as Mixtral's tokenizer.json (transformers'
  LlamaConverter, legacy: Prepend("▁") + Replace(" ", "▁") normalizer, no pre-tokenizer,
  <unk>=0 <s>=1 </s>=2, then <0x00>..<0xFF>, then the merged pieces; decoder Replace, ByteFallback,
  Fuse, Strip; a TemplateProcessing post-processor that puts <s> first).

reference.json: per folder, for every string of the test corpus, the ids of
`Tokenizer.encode(s, add_special_tokens=True)` (the setting `switchyard tokenize` uses: the
model's own special tokens, Mixtral's BOS, as `transformers` adds them by default) and the text of
`Tokenizer.decode(ids, skip_special_tokens=False)`; also the vocabulary size with added tokens.

Deterministic: the training corpus is built in, the trainers run on it alone; two runs write
byte-identical files. The script checks at the end that transformers, reading each tokenizer.json as
written (PreTrainedTokenizerFast), gives the same ids and text, and prints how AutoTokenizer's class
differs: transformers 5's LlamaTokenizer replaces the legacy normalizer by Metaspace(prepend_scheme=
"always"), so it encodes strings with leading spaces or spaces next to special tokens differently.
"""

import json
import os
import sys

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

TRAINING = [
    "The quick brown fox jumps over the lazy dog.",
    "A mixture of experts routes every token to a few of its experts.",
    "Each expert is a small feed-forward network; the router picks the top two.",
    "The gateway cuts the tokens into groups and sends each expert its rows.",
    "Hello, world! How are you today? I'm fine, thanks. We'll see; they've gone.",
    "Numbers: 0 1 2 3 4 5 6 7 8 9 10 42 100 2024 3.14159 -7 +8 1e-5",
    "def forward(self, x):\n    return self.experts(self.router(x))\n",
    "if (a < b && c > d) { return a + b * c / d; }",
    "Les élèves étudient à l'école; ça va très bien, déjà où naïve café.",
    "Über die Brücke gehen größere Mädchen schnell.",
    "El niño comió piña en la mañana; ¿qué tal? ¡Olé!",
    "日本語のテキストも少し含めます。東京は大きな都市です。",
    "中文文本：模型把每个词元送到专家。",
    "한국어 문장도 있습니다.",
    "Русский текст: эксперты и маршрутизатор.",
    "Emoji: 🙂 🚀 ✨ 👍🏽 ❤️",
    "Tabs\tand  double  spaces   and\nnew\nlines\r\nand more.",
    "user: what is the capital of France?\nassistant: Paris is the capital of France.",
    "system: you are a helpful assistant.",
    "the the the and and of of to to in in is is it it that that",
]
TRAINING = TRAINING * 3

QWEN2_SPLIT = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"""
               r"""\s*[\r\n]+|\s+(?!\S)|\s+""")


def qwen2_bytelevel():
    tok = Tokenizer(models.BPE(dropout=None, unk_token=None, continuing_subword_prefix="", end_of_word_suffix="",
                               fuse_unk=False, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    trainer = trainers.BpeTrainer(vocab_size=600, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator(TRAINING, trainer=trainer)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    # As Qwen2: the special tokens come after the learned vocabulary.
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t in ("<|endoftext|>", "<|im_start|>", "<|im_end|>")])
    config = {
        "add_prefix_space": False,
        "bos_token": None,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "unk_token": None,
        "model_max_length": 32768,
        "clean_up_tokenization_spaces": False,
        "errors": "replace",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "chat_template": (
            "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
            " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
            "{% endif %}"),
    }
    return tok, config


def mixtral_bytefallback():
    # Train the pieces with a whitespace-splitting Metaspace pre-tokenizer (pieces start with ▁ as
    # SentencePiece's do), then lay the vocabulary out as Mixtral's and drop the pre-tokenizer: the
    # legacy Llama layout runs BPE on the whole normalized string.
    trained = Tokenizer(models.BPE())
    trained.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    trained.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
    trainer = trainers.BpeTrainer(vocab_size=500, min_frequency=2, show_progress=False, special_tokens=[],
                                  limit_alphabet=200)
    trained.train_from_iterator(TRAINING, trainer=trainer)
    state = json.loads(trained.to_str())["model"]
    learned = sorted(state["vocab"].items(), key=lambda kv: kv[1])
    specials = ["<unk>", "<s>", "</s>"]
    byte_tokens = ["<0x%02X>" % b for b in range(256)]
    vocab = {}
    for t in specials + byte_tokens + [t for t, _ in learned]:
        if t not in vocab:
            vocab[t] = len(vocab)
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in state["merges"]]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, dropout=None, unk_token="<unk>", fuse_unk=True,
                               byte_fallback=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.pre_tokenizer = None
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(content=" ", left=1, right=0)])
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    tok.post_processor = processors.TemplateProcessing(single="<s>:0 $A:0", pair="<s>:0 $A:0 <s>:1 $B:1",
                                                       special_tokens=[("<s>", 1)])
    config = {
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": None,
        "legacy": True,
        "model_max_length": 1000000000000000019884624838656,
        "clean_up_tokenization_spaces": False,
        "spaces_between_special_tokens": False,
        "sp_model_kwargs": {},
        "tokenizer_class": "LlamaTokenizer",
        "chat_template": (
            "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}"
            "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            "{{ message['content'] + eos_token }}{% endif %}{% endfor %}"),
    }
    return tok, config


def corpus():
    """About 200 strings: scripts, accents, CJK, emoji, whitespace, special tokens, the empty string."""
    base = [
        "", " ", "  ", "   ", "\n", "\n\n", "\t", " \n ", "\r\n", "a", "A", ".", "!", "?", "0", "42", "3.14",
        "hello", "Hello", " hello", "hello ", "  hello  ", "Hello, world!", "Hello world", "hello\nworld",
        "The quick brown fox jumps over the lazy dog.", "THE QUICK BROWN FOX", "the  quick   brown    fox",
        "A mixture of experts routes every token.", "expert experts expertise inexpert",
        "I'm sure it's fine; we'll see, they've said, you'd know, I'll go.", "DON'T SHOUT", "It'S mIxEd",
        "trailing spaces   ", "   leading spaces", "multiple\n\n\nnewlines", "tab\tseparated\tvalues",
        "line one\r\nline two\r\n", "ends with newline\n", "\n starts with newline", "spaces \n\n  around",
        "12345678901234567890", "1,000,000.00", "2024-06-01T12:34:56Z", "x = y + 2 * (z - 1)",
        "def f(x):\n    return x ** 2\n", "    indented four", "\t\tindented tabs", "a  b   c    d",
        "email@example.com", "https://example.com/path?q=1&r=2#frag", "C:\\Windows\\System32", "~!@#$%^&*()_+",
        "[]{}<>|\\/'\"`", "«quoted» “curly” ‘single’ — dash – en … ellipsis",
        "café", "naïve", "résumé", "Ångström", "Straße", "garçon", "señor", "ﬁ ligature", "e\u0301",
        "Cafe\u0301 compose", "Ω ≈ ç √ ∫ ˜ µ ≤ ≥ ÷", "Les élèves étudient à l'école.", "Über größere Mädchen",
        "日本語", "東京は大きな都市です。", "中文文本", "模型把每个词元送到专家。", "한국어", "한국어 문장도 있습니다.",
        "Русский текст", "Ελληνικά", "עברית", "العربية", "हिन्दी", "ไทย", "Tiếng Việt",
        "🙂", "🚀✨", "👍🏽", "❤️", "👨‍👩‍👧‍👦", "🦙 llama", "emoji 🙂 in 🚀 text ✨", "🏳️‍🌈", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟘𝟙𝟚",
        "\u00a0non-breaking\u00a0space", "zero\u200bwidth", "\u3000ideographic space", "soft\u00adhyphen",
        "control\u0001char", "bell\u0007", "del\u007f",
        "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|im_start|>user\nHello!<|im_end|>\n",
        "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
        "text<|endoftext|>more text", "<|endoftext|><|endoftext|>", " <|im_end|> ", "<|im_end", "<|unknown|>",
        "<s>", "</s>", "<unk>", "<s>[INST] Hello [/INST]", "[INST] What is 2+2? [/INST] 4</s>",
        "a<s>b</s>c", " <s> ", "<s><s>", "</s></s>", "<unk> token", "<0x41>", "<0xFF> raw", "▁", "▁▁x", "x▁y",
    ]
    words = ["the", "expert", "router", "token", "gateway", "café", "日本", "🙂", "über", "  ", "\n", "42",
             "<|im_end|>", "<s>", "</s>", "Hello", "naïve", "中文", "\t", "world"]
    generated = []
    for i in range(len(base), 200):
        n = 1 + (i * 7) % 6
        parts = [words[(i * 3 + j * 5) % len(words)] for j in range(n)]
        sep = [" ", "", "  ", "\n"][i % 4]
        generated.append(sep.join(parts))
    return base + generated


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    strings = corpus()
    reference = {"add_special_tokens": True, "skip_special_tokens": False, "strings": strings, "tokenizers": {}}
    folders = {"qwen2-bytelevel": qwen2_bytelevel(), "mixtral-bytefallback": mixtral_bytefallback()}
    for name, (tok, config) in folders.items():
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        tok.save(os.path.join(folder, "tokenizer.json"))
        config["added_tokens_decoder"] = {
            str(i): {"content": t.content, "lstrip": t.lstrip, "normalized": t.normalized, "rstrip": t.rstrip,
                     "single_word": t.single_word, "special": t.special}
            for i, t in sorted(tok.get_added_tokens_decoder().items())}
        write(os.path.join(folder, "tokenizer_config.json"), json.dumps(config, indent=2, ensure_ascii=False) + "\n")
        reloaded = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        ids = [reloaded.encode(s, add_special_tokens=True).ids for s in strings]
        decoded = [reloaded.decode(x, skip_special_tokens=False) for x in ids]
        reference["tokenizers"][name] = {
            "vocab_size": reloaded.get_vocab_size(with_added_tokens=True),
            "special_tokens": {t.content: i for i, t in sorted(reloaded.get_added_tokens_decoder().items())
                               if t.special},
            "ids": ids,
            "decoded": decoded,
        }
    text = json.dumps(reference, ensure_ascii=False, separators=(",", ":"))
    write(os.path.join(OUT, "reference.json"), text + "\n")
    check_transformers(strings, reference)


def check_transformers(strings, reference):
    """transformers reading tokenizer.json as written must agree; AutoTokenizer's class may rebuild it."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast
    for name, ref in reference["tokenizers"].items():
        for kind, hf in (("as written", PreTrainedTokenizerFast.from_pretrained(os.path.join(OUT, name))),
                         ("AutoTokenizer", AutoTokenizer.from_pretrained(os.path.join(OUT, name)))):
            bad = [s for s, ids, text in zip(strings, ref["ids"], ref["decoded"])
                   if hf(s)["input_ids"] != ids
                   or hf.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False) != text]
            print("%s: %d strings, vocab %d, transformers %s (%s): %d differ%s"
                  % (name, len(strings), ref["vocab_size"], type(hf).__name__, kind, len(bad),
                     (", e.g. " + repr(bad[0])) if bad else ""))
            if kind == "as written":
                assert not bad, name


if __name__ == "__main__":
    main()
