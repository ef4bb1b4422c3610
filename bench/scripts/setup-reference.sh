#!/usr/bin/env bash
# Installs what the reference timing (bench/scripts/openblas_matmul.py) needs, from Debian packages,
# unless a python3 with numpy is already there, and reports which BLAS numpy runs.
#
# Usage:  bench/scripts/setup-reference.sh
# Then:   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
#             python3 bench/scripts/openblas_matmul.py 64 1024 4096
# (unset OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for that command only: a pinned CORETYPE such as Haswell
#  keeps OpenBLAS on its AVX2 kernel on an AVX-512 machine; one thread, to compare with one Java thread.)
set -euo pipefail
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
if ! python3 -c 'import numpy' 2>/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -q
  # libopenblas0-pthread: without it Debian's numpy links the reference BLAS (a few GFLOP/s).
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-numpy libopenblas0-pthread
fi
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 - <<'PY'
import numpy as np
from openblas_core import core_name
print("numpy", np.__version__)
print("openblas core (CORETYPE/L2_SIZE unset):", core_name())
try:
    from threadpoolctl import threadpool_info
    for lib in threadpool_info():
        print("blas:", lib.get("internal_api"), lib.get("version"), lib.get("architecture"), lib.get("filepath"))
except ImportError:
    cfg = np.show_config(mode="dicts") if "mode" in np.show_config.__code__.co_varnames else None
    if cfg:
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        print("blas:", blas.get("name"), blas.get("version"), blas.get("openblas configuration", ""))
    else:
        np.show_config()
PY
