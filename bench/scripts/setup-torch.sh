#!/usr/bin/env bash
# Installs the PyTorch CPU reference of bench/scripts/torch_moe_layer.py from Debian's packages:
# python3-torch for /usr/bin/python3, and OpenBLAS, without which torch uses the reference BLAS.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-torch libopenblas0-pthread
/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)'
