#!/usr/bin/env python3
"""Checks a running `switchyard serve --openai` with the official `openai` Python client.

Usage: openai_client_check.py [BASE_URL]   (default http://127.0.0.1:8000/v1)
Prints one PASS/FAIL line per check; exits 1 when any fails.
"""
import sys

import openai

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/v1"
client = openai.OpenAI(base_url=BASE, api_key="unused", max_retries=0, timeout=60)
failed = []


def check(name, fn):
    try:
        detail = fn()
        print(f"PASS {name}: {detail}")
    except Exception as ex:  # a check's failure of any kind is reported, the others still run
        failed.append(name)
        print(f"FAIL {name}: {type(ex).__name__}: {ex}")


def models():
    listed = client.models.list()
    names = [m.id for m in listed.data]
    assert len(names) == 1, names
    return f"models {names}"


def model():
    return client.models.list().data[0].id


def completion():
    r = client.completions.create(model=model(), prompt="the", max_tokens=8, temperature=0)
    c = r.choices[0]
    assert r.object == "text_completion" and c.finish_reason in ("stop", "length"), r
    assert r.usage.completion_tokens > 0 and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    return f"{c.text!r} finish {c.finish_reason} usage {r.usage.prompt_tokens}+{r.usage.completion_tokens}"


def completion_stream():
    whole = client.completions.create(model=model(), prompt="the", max_tokens=8, temperature=0).choices[0].text
    parts, finish, usage = [], None, None
    for chunk in client.completions.create(model=model(), prompt="the", max_tokens=8, temperature=0, stream=True,
                                           stream_options={"include_usage": True}):
        if chunk.choices:
            parts.append(chunk.choices[0].text)
            finish = chunk.choices[0].finish_reason or finish
        if chunk.usage:
            usage = chunk.usage
    assert "".join(parts) == whole, ("".join(parts), whole)
    assert finish is not None and usage is not None and usage.completion_tokens > 0
    return f"{len(parts)} chunks, text equals the whole answer, finish {finish}, usage {usage.completion_tokens}"


def chat():
    r = client.chat.completions.create(model=model(), messages=[{"role": "user", "content": "the"}], max_tokens=8,
                                       temperature=0.7, seed=7, logprobs=True, top_logprobs=2)
    c = r.choices[0]
    assert r.object == "chat.completion" and c.message.role == "assistant", r
    assert c.logprobs is not None and len(c.logprobs.content) == r.usage.completion_tokens
    return f"{c.message.content!r} finish {c.finish_reason}, {len(c.logprobs.content)} logprobs"


def chat_stream():
    whole = client.chat.completions.create(model=model(), messages=[{"role": "user", "content": "the"}],
                                           max_tokens=8, temperature=0.7, seed=7).choices[0].message.content
    parts, role, finish = [], None, None
    for chunk in client.chat.completions.create(model=model(), messages=[{"role": "user", "content": "the"}],
                                                max_tokens=8, temperature=0.7, seed=7, stream=True):
        d = chunk.choices[0].delta
        role = role or d.role
        parts.append(d.content or "")
        finish = chunk.choices[0].finish_reason or finish
    assert role == "assistant" and "".join(parts) == whole and finish is not None, (role, parts, whole)
    return f"{len(parts)} chunks, role {role}, text equals the whole answer, finish {finish}"


def unknown_model():
    try:
        client.completions.create(model="no-such-model", prompt="the", max_tokens=2)
    except openai.NotFoundError as ex:
        return f"NotFoundError {ex.status_code} code {ex.code}"
    raise AssertionError("no error")


def bad_parameter():
    try:
        client.completions.create(model=model(), prompt="the", max_tokens=2, temperature=3)
    except openai.BadRequestError as ex:
        return f"BadRequestError {ex.status_code} param {ex.param}"
    raise AssertionError("no error")


for name, fn in [("models.list", models), ("completions", completion), ("completions stream", completion_stream),
                 ("chat.completions", chat), ("chat.completions stream", chat_stream),
                 ("unknown model", unknown_model), ("bad parameter", bad_parameter)]:
    check(name, fn)
print(f"{7 - len(failed)}/7 passed" + (f"; failed: {', '.join(failed)}" if failed else ""))
sys.exit(1 if failed else 0)
