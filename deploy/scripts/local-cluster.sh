#!/usr/bin/env bash
# Starts a Switchyard cluster on this host: one gateway node (which also hosts experts) and N-1
# expert-only nodes, each a JVM with its own media driver and ports, all on loopback, in the local
# failure profile (a vanished node is noticed in about a second). From another terminal, nodes can
# be added, killed and made to leave while traffic flows.
#
#   deploy/scripts/local-cluster.sh MODEL_DIR [NODES=3] [BASE_PORT=2551]   start (Ctrl-C stops all;
#                                 SWITCHYARD_REPLICAS=N hosts N copies of every expert;
#                                 SWITCHYARD_PLACEMENT=off places experts by count, not by work;
#                                 SWITCHYARD_CLIENT_PORT_BASE (7400) and SWITCHYARD_HTTP_PORT_BASE
#                                 (9400) move the client and HTTP ports of node i to BASE+i)
#   deploy/scripts/local-cluster.sh add           start one more expert node; it joins and takes experts
#   deploy/scripts/local-cluster.sh kill NODE     SIGKILL node NODE (its number, 1 = first expert node)
#   deploy/scripts/local-cluster.sh leave NODE    SIGTERM node NODE: it drains and hands its experts off
#   deploy/scripts/local-cluster.sh status [--json]  members, where every expert is, load, moves
#   deploy/scripts/local-cluster.sh stop          every node leaves gracefully
#
# Clients connect to 127.0.0.1:7400 (e.g. switchyard infer --connect 127.0.0.1:7400 ...);
# node i logs to $RUN_DIR/node-i.log and serves metrics at http://127.0.0.1:$((9400 + i))/metrics.
# Every port a node would take (cluster BASE_PORT+i, client and HTTP as above) is checked first: one
# already in use stops the script before any node starts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="${SWITCHYARD_RUN_DIR:-${TMPDIR:-/tmp}/switchyard-local-cluster}"
LAUNCHER="${SWITCHYARD_LAUNCHER:-$ROOT/switchyard}"

die() { echo "local-cluster.sh: $*" >&2; exit 2; }

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

# port_in_use tcp|udp PORT: something on this host listens on (TCP) or is bound to (UDP) PORT. Reads
# /proc/net where there is one, else asks lsof; with neither it says no, and the node's own check speaks.
port_in_use() {
  local proto="$1" port="$2"
  if [ -r /proc/net/tcp ]; then
    local hex
    hex=":$(printf '%04X' "$port")"
    if [ "$proto" = tcp ]; then
      awk -v p="$hex" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
    else
      awk -v p="$hex" 'FNR > 1 && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
        /proc/net/udp /proc/net/udp6 2>/dev/null
    fi
  elif command -v lsof >/dev/null 2>&1; then
    if [ "$proto" = tcp ]; then
      lsof -nP -iTCP:"$port" -sTCP:LISTEN >/dev/null 2>&1
    else
      lsof -nP -iUDP:"$port" >/dev/null 2>&1
    fi
  else
    return 1
  fi
}

# check_ports I: every port node I would take is free, or the script stops naming it.
check_ports() {
  local i="$1"
  port_in_use tcp "$((BASE + i))" &&
    die "cluster port $((BASE + i)) of node $i is in use (BASE_PORT is $BASE; pass another as the third argument)"
  port_in_use udp "$((CLIENT_BASE + i))" &&
    die "client port $((CLIENT_BASE + i)) of node $i is in use (set SWITCHYARD_CLIENT_PORT_BASE, now $CLIENT_BASE)"
  port_in_use tcp "$((HTTP_BASE + i))" &&
    die "HTTP port $((HTTP_BASE + i)) of node $i is in use (set SWITCHYARD_HTTP_PORT_BASE, now $HTTP_BASE)"
  return 0
}

# port_base NAME VALUE NODES: VALUE is a port from which NODES ports fit below 65536.
port_base() {
  [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] && [ "$(($2 + $3))" -le 65536 ] ||
    die "$1 must be a port from 1 to $((65536 - $3)) (got '$2')"
}

# start_node I ROLE: node I at cluster port BASE+I, client port CLIENT_BASE+I, HTTP HTTP_BASE+I.
start_node() {
  local i="$1" role="$2"
  "$LAUNCHER" serve --role "$role" --model "$MODEL" --cluster "127.0.0.1:$((BASE + i))" \
    --seed-nodes "127.0.0.1:$BASE" --bind "127.0.0.1:$((CLIENT_BASE + i))" --http-port "$((HTTP_BASE + i))" \
    --config "$RUN_DIR/local.conf" >"$RUN_DIR/node-$i.log" 2>&1 &
  echo $! >"$RUN_DIR/node-$i.pid"
  echo "node $i ($role): pid $(cat "$RUN_DIR/node-$i.pid"), log $RUN_DIR/node-$i.log"
}

load_env() {
  [ -f "$RUN_DIR/cluster.env" ] || die "no cluster started from $RUN_DIR (start one with: local-cluster.sh MODEL_DIR)"
  . "$RUN_DIR/cluster.env"
  CLIENT_BASE="${CLIENT_BASE:-7400}"
  HTTP_BASE="${HTTP_BASE:-9400}"
}

node_pid() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] || die "NODE must be a node number (got '${1:-}')"
  [ -f "$RUN_DIR/node-$1.pid" ] || die "no node $1 is running (see $RUN_DIR/node-*.pid)"
  cat "$RUN_DIR/node-$1.pid"
}

case "${1:-}" in
  stop)
    stop_all
    exit 0
    ;;
  add)
    load_env
    i=1
    while [ -f "$RUN_DIR/node-$i.log" ]; do i=$((i + 1)); done
    check_ports "$i"
    start_node "$i" experts
    echo "node $i joins; its log says when its first expert is served"
    exit 0
    ;;
  kill)
    load_env
    pid="$(node_pid "${2:-}")"
    kill -KILL "$pid"
    rm -f "$RUN_DIR/node-$2.pid"
    echo "node $2 (pid $pid) killed; node 0's log says when its experts are served again"
    exit 0
    ;;
  leave)
    load_env
    pid="$(node_pid "${2:-}")"
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$RUN_DIR/node-$2.pid"
    echo "node $2 (pid $pid) left the cluster"
    exit 0
    ;;
  status)
    load_env
    shift
    exec "$LAUNCHER" cluster status --connect "127.0.0.1:$BASE" "$@"
    ;;
esac

MODEL="${1:?usage: local-cluster.sh MODEL_DIR [NODES] [BASE_PORT] | add | kill NODE | leave NODE | status | stop}"
[ -d "$MODEL" ] || die "model directory $MODEL does not exist"
MODEL="$(cd "$MODEL" && pwd)"
NODES="${2:-3}"
BASE="${3:-2551}"
CLIENT_BASE="${SWITCHYARD_CLIENT_PORT_BASE:-7400}"
HTTP_BASE="${SWITCHYARD_HTTP_PORT_BASE:-9400}"
[[ "$NODES" =~ ^[0-9]+$ ]] && [ "$NODES" -ge 1 ] || die "NODES must be at least 1 (got '$NODES')"
port_base BASE_PORT "$BASE" "$NODES"
port_base SWITCHYARD_CLIENT_PORT_BASE "$CLIENT_BASE" "$NODES"
port_base SWITCHYARD_HTTP_PORT_BASE "$HTTP_BASE" "$NODES"
for i in $(seq 0 $((NODES - 1))); do check_ports "$i"; done
mkdir -p "$RUN_DIR"
rm -f "$RUN_DIR"/node-*.log
printf 'MODEL=%q\nBASE=%q\nCLIENT_BASE=%q\nHTTP_BASE=%q\n' "$MODEL" "$BASE" "$CLIENT_BASE" "$HTTP_BASE" \
  >"$RUN_DIR/cluster.env"
echo 'switchyard.cluster.failure-profile = local' >"$RUN_DIR/local.conf"
# SWITCHYARD_REPLICAS=2: every expert hosted on two nodes, so a killed node fails no request.
REPLICAS="${SWITCHYARD_REPLICAS:-1}"
[[ "$REPLICAS" =~ ^[1-4]$ ]] || die "SWITCHYARD_REPLICAS must be 1 to 4, got '$REPLICAS'"
echo "switchyard.experts.replicas = $REPLICAS" >>"$RUN_DIR/local.conf"
# SWITCHYARD_PLACEMENT=off: experts placed by count only, to compare with load-aware placement.
PLACEMENT="${SWITCHYARD_PLACEMENT:-on}"
[[ "$PLACEMENT" =~ ^(on|off)$ ]] || die "SWITCHYARD_PLACEMENT must be on or off, got '$PLACEMENT'"
echo "switchyard.placement.enabled = $PLACEMENT" >>"$RUN_DIR/local.conf"
trap 'stop_all' INT TERM

# wait_served I: until node I serves its first expert. Nodes start one at a time: JVMs warming up
# side by side on a small host can starve each other's heartbeats past the local profile's pause,
# and a node taken for dead is removed and exits.
wait_served() {
  local i="$1"
  for _ in $(seq 1 240); do
    grep -q "first expert served" "$RUN_DIR/node-$i.log" 2>/dev/null && return 0
    kill -0 "$(cat "$RUN_DIR/node-$i.pid")" 2>/dev/null || die "node $i exited; see $RUN_DIR/node-$i.log"
    sleep 0.5
  done
  echo "node $i serves no expert after 120 s; starting the next one anyway" >&2
}

for i in $(seq 0 $((NODES - 1))); do
  role=experts
  [ "$i" -eq 0 ] && role=all
  start_node "$i" "$role"
  # The first node founds the cluster; the others join it.
  wait_served "$i"
done
echo "gateway: 127.0.0.1:$CLIENT_BASE (HTTP http://127.0.0.1:$HTTP_BASE/) - Ctrl-C stops the cluster"
wait
