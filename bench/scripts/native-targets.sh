#!/usr/bin/env bash
# The compute targets against PyTorch 2.x on this machine, back to back, one thread each: for both products
# of an FFN and m = 1..1024 rows, GFLOP/s of torch's f32 and bf16 `linear` and of `switchyard bench kernel`
# with the vector backend (f32) and the native backend (f32 and bf16), and the ratios the issue names:
# vector f32 / torch f32, native bf16 / torch bf16. torch_bf16_io32 times torch's bf16 product the way
# `native` makes it (float32 rows in, rounded to bf16 in the call, the product back as float32), and the
# last column compares native with that: the same work on both sides.
#
# Usage (from anywhere):  bench/scripts/native-targets.sh [PYTHON]
#   PYTHON: a python3 with torch 2.x (bench/scripts/setup-torch.sh, or a venv with torch==2.13.0); default python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${1:-python3}"
JAVA=(./switchyard bench kernel)

torch() { # M K N DTYPE [IO]
  "$PY" bench/scripts/torch_linear.py "$1" "$2" "$3" --dtype "$4" --io "${5:-same}" --threads 1 2>/dev/null |
    tail -1 | cut -d= -f2
}
jk() { # M K N BACKEND WEIGHTS: enough warm-up for the JIT to compile the row conversions at small m
  local warm=$(( $1 <= 64 ? 500 : ($1 <= 256 ? 100 : 30) ))
  "${JAVA[@]}" --m "$1" --k "$2" --n "$3" --backend "$4" --weights "$5" --warmup "$warm" --runs 30 2>/dev/null |
    tail -1 | cut -d= -f2
}
div() { python3 -c "print(f'{$1/$2:.2f}')"; }

echo "k n m torch_f32 torch_bf16 torch_bf16_io32 vector_f32 native_f32 native_bf16 vector/torch_f32" \
  "native/torch_bf16 native/torch_bf16_io32"
for kn in "1024 4096" "4096 1024"; do
  set -- $kn
  k=$1 n=$2
  for m in 1 16 64 256 1024; do
    tf=$(torch $m $k $n f32); tb=$(torch $m $k $n bf16); ti=$(torch $m $k $n bf16 f32)
    vf=$(jk $m $k $n vector f32); nf=$(jk $m $k $n native f32); nb=$(jk $m $k $n native bf16)
    echo "$k $n $m $tf $tb $ti $vf $nf $nb $(div "$vf" "$tf") $(div "$nb" "$tb") $(div "$nb" "$ti")"
  done
done
