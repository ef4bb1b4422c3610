#!/usr/bin/env bash
# Runs the expert-kernel targets of the compute backend back to back with OpenBLAS (numpy, one thread)
# and prints one line per figure. Build first (the script compiles the reactor offline if needed).
#
# Usage: bench/scripts/kernel-targets.sh [REPEATS]        (from the repository root)
#
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for the numpy commands only: an environment that pins
# CORETYPE (e.g. Haswell) makes OpenBLAS use its AVX2 kernel on an AVX-512 machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPEATS="${1:-3}"
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
CP_FILE=gateway/target/bench-kernel.classpath
if [[ ! -f "$CP_FILE" || ! -d gateway/target/classes/dev/switchyard/cli ]]; then
  mvn -B -q -o -pl gateway -am compile dependency:build-classpath -Dmdep.outputFile="$PWD/$CP_FILE" >&2
fi
CP="gateway/target/classes:$(cat "$CP_FILE")"
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$CP")

blas() { # m k n [--ffn]
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
    python3 bench/scripts/openblas_matmul.py "$@" 2>/dev/null | tail -1 | cut -d= -f2
}
java_kernel() { # m k n [more options]
  local m=$1 k=$2 n=$3; shift 3
  "${JAVA[@]}" dev.switchyard.cli.BenchKernelCommand --m "$m" --k "$k" --n "$n" "$@" 2>/dev/null | tail -1 | cut -d= -f2
}

for rep in $(seq 1 "$REPEATS"); do
  for shape in "16 1024 4096" "64 1024 4096" "256 1024 4096" "16 4096 1024" "64 4096 1024" "256 4096 1024"; do
    b=$(blas $shape); j=$(java_kernel $shape)
    echo "rep=$rep product m,k,n=${shape// /,} openblas=$b java=$j ratio=$(python3 -c "print(f'{$j/$b:.2f}')")"
  done
  t1=$(java_kernel 256 1024 4096); t2=$(java_kernel 256 4096 1024 --threads 2); t1b=$(java_kernel 256 4096 1024)
  t2b=$(java_kernel 256 1024 4096 --threads 2)
  echo "rep=$rep threads m=256 k=1024 n=4096: one=$t1 two=$t2b speedup=$(python3 -c "print(f'{$t2b/$t1:.2f}')")"
  echo "rep=$rep threads m=256 k=4096 n=1024: one=$t1b two=$t2 speedup=$(python3 -c "print(f'{$t2/$t1b:.2f}')")"
  f=$(java_kernel 256 1024 4096 --ffn); p1=$(java_kernel 256 1024 4096); p2=$(java_kernel 256 4096 1024)
  # the FFN's time against the sum of its two products' times (each 2·m·k·n flops)
  echo "rep=$rep ffn m=256 d_model=1024 d_ff=4096: ffn=$f first=$p1 second=$p2" \
    "time_ratio=$(python3 -c "print(f'{(4/$f)/(2/$p1+2/$p2):.3f}')")"
  for m in 1 16; do
    a=$(java_kernel $m 1024 4096); c=$(java_kernel $m 1024 4096 --weights bf16); b=$(blas $m 1024 4096)
    echo "rep=$rep weights m=$m k=1024 n=4096: f32=$a bf16=$c openblas=$b"
  done
done
