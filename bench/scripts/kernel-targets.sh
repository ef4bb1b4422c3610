#!/usr/bin/env bash
# Measures the expert-kernel targets back to back with OpenBLAS (numpy, one thread), REPEATS times, and
# prints one line per figure (GFLOP/s; a ratio is java/openblas, a time ratio ffn/(first + second)).
#
# Usage (from anywhere):  bench/scripts/kernel-targets.sh [REPEATS]
#   needs: what ./switchyard needs (JDK 25, Maven), python3 with numpy (bench/scripts/setup-reference.sh).
#
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the numpy commands only: an environment that
# pins CORETYPE (e.g. Haswell) holds OpenBLAS to its AVX2 kernel on an AVX-512 machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPEATS="${1:-3}"
# The launcher builds the distribution on first use (and after source changes).
JAVA=(./switchyard bench kernel)

blas() { # M K N [--ffn]
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
    python3 bench/scripts/openblas_matmul.py "$@" 2>/dev/null | tail -1 | cut -d= -f2
}
jk() { # M K N [options]
  local m=$1 k=$2 n=$3; shift 3
  "${JAVA[@]}" --m "$m" --k "$k" --n "$n" "$@" 2>/dev/null | tail -1 | cut -d= -f2
}
div() { python3 -c "print(f'{$1/$2:.3f}')"; }

for rep in $(seq 1 "$REPEATS"); do
  for shape in "16 1024 4096" "64 1024 4096" "256 1024 4096" "16 4096 1024" "64 4096 1024" "256 4096 1024"; do
    b=$(blas $shape); j=$(jk $shape)
    echo "rep=$rep product m,k,n=${shape// /,} openblas=$b java=$j ratio=$(div "$j" "$b")"
  done
  for shape in "256 1024 4096" "256 4096 1024"; do
    one=$(jk $shape --threads 1); two=$(jk $shape --threads 2)
    echo "rep=$rep threads m,k,n=${shape// /,} one=$one two=$two speedup=$(div "$two" "$one")"
  done
  ffn=$(jk 256 1024 4096 --ffn); first=$(jk 256 1024 4096); second=$(jk 256 4096 1024)
  # each product is 2·m·k·n flops, the FFN 4·m·k·n: time(ffn) / (time(first) + time(second))
  echo "rep=$rep ffn m=256 d_model=1024 d_ff=4096 ffn=$ffn first=$first second=$second" \
    "time_ratio=$(python3 -c "print(f'{(4/$ffn)/(2/$first+2/$second):.3f}')")"
  for m in 1 16; do
    f32=$(jk $m 1024 4096); bf16=$(jk $m 1024 4096 --weights bf16); b=$(blas $m 1024 4096)
    echo "rep=$rep weights m=$m k=1024 n=4096 f32=$f32 bf16=$bf16 openblas=$b"
  done
done
# Accuracy of bf16 weights on the demo model's shape (d_model 256, d_ff 1024), one FFN on 2048 rows;
# bench/src/main/java/dev/switchyard/bench/kernel/Bf16Accuracy.java measures it on the demo model itself.
"${JAVA[@]}" --m 2048 --k 256 --n 1024 --ffn --weights bf16 --runs 10 --warmup 2 2>&1 >/dev/null | grep "bf16 vs f32"
