#!/usr/bin/env bash
# Starts a Switchyard cluster on this host: one gateway node (which also hosts experts) and N-1
# expert-only nodes, each a JVM with its own media driver and ports, all on loopback. Stops them
# all (gracefully: each node leaves the cluster, its experts move) on Ctrl-C or `local-cluster.sh stop`.
#
#   deploy/scripts/local-cluster.sh MODEL_DIR [NODES=3] [BASE_PORT=2551]
#   deploy/scripts/local-cluster.sh stop
#
# Clients connect to 127.0.0.1:7400 (e.g. switchyard infer --connect 127.0.0.1:7400 ...);
# metrics of node i are at http://127.0.0.1:$((9400 + i))/metrics.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="${SWITCHYARD_RUN_DIR:-${TMPDIR:-/tmp}/switchyard-local-cluster}"
LAUNCHER="${SWITCHYARD_LAUNCHER:-$ROOT/switchyard}"

stop_all() {
  [ -d "$RUN_DIR" ] || return 0
  for pidfile in "$RUN_DIR"/node-*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    # SIGTERM runs the node's shutdown hook: leave the cluster, hand experts off, stop the driver.
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pidfile in "$RUN_DIR"/node-*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

if [ "${1:-}" = "stop" ]; then
  stop_all
  exit 0
fi

MODEL="${1:?usage: local-cluster.sh MODEL_DIR [NODES] [BASE_PORT] | stop}"
NODES="${2:-3}"
BASE="${3:-2551}"
mkdir -p "$RUN_DIR"
trap 'stop_all' INT TERM

SEED="127.0.0.1:$BASE"
for i in $(seq 0 $((NODES - 1))); do
  role=experts
  [ "$i" -eq 0 ] && role=all
  "$LAUNCHER" serve --role "$role" --model "$MODEL" --cluster "127.0.0.1:$((BASE + i))" \
    --seed-nodes "$SEED" --bind "127.0.0.1:$((7400 + i))" --http-port "$((9400 + i))" \
    >"$RUN_DIR/node-$i.log" 2>&1 &
  echo $! >"$RUN_DIR/node-$i.pid"
  echo "node $i ($role): pid $(cat "$RUN_DIR/node-$i.pid"), log $RUN_DIR/node-$i.log"
  # The first node founds the cluster; the others join it.
  [ "$i" -eq 0 ] && sleep 3
done
echo "gateway: 127.0.0.1:7400 - Ctrl-C stops the cluster"
wait
