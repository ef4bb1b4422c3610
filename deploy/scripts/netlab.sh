#!/usr/bin/env bash
# A network lab on one Linux host: N network namespaces ("hosts") joined by a bridge, each with its
# own address and MTU 1500, so that a Switchyard cluster runs over a real network path (ARP, a
# bridge, an interface MTU, links that go down) rather than loopback. Needs root (or CAP_NET_ADMIN)
# and `ip`. The host itself is on the bridge too (the first address): clients run there, on a host
# of their own.
#
#   deploy/scripts/netlab.sh up N                 create hosts 0..N-1 (tears down a previous lab first)
#   deploy/scripts/netlab.sh down                 kill every process in the lab's namespaces, delete
#                                                 namespaces, links, bridge and /dev/shm/$PREFIX-*
#   deploy/scripts/netlab.sh addr I               the address of host I
#   deploy/scripts/netlab.sh exec I CMD...        run CMD on host I (exec: CMD keeps the pid)
#   deploy/scripts/netlab.sh cut I | heal I       take host I's link down / up (a partition of host I)
#   deploy/scripts/netlab.sh split I J...         hosts I J... on a bridge of their own: they reach each
#                                                 other, not the rest (split brain); `join` ends it
#   deploy/scripts/netlab.sh cluster MODEL_DIR N [G]
#                                                 up N+G, then G gateway nodes (hosts 0..G-1; G is 1 by
#                                                 default, and a lone gateway also hosts experts) and N
#                                                 expert nodes (hosts G..G+N-1), each a `switchyard
#                                                 serve` of its own, every gateway a seed node; runs
#                                                 until Ctrl-C, then tears everything down
#   deploy/scripts/netlab.sh restart I            (beside `cluster`) SIGTERM node I, wait for it to stop
#                                                 (a gateway drains, an expert node hands its experts
#                                                 over) and exit, start it again with the same config
#   deploy/scripts/netlab.sh list                 the lab's namespaces
#
# NETLAB_PREFIX (default sylab) names the namespaces (PREFIX-I), the bridge (PREFIX-br) and the
# host-side links (PREFIX-vI); NETLAB_NET (default 10.77.0) is the /24: the host is .1, host I is
# .(10+I). Two labs side by side need different prefixes and nets.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PREFIX="${NETLAB_PREFIX:-sylab}"
NET="${NETLAB_NET:-10.77.0}"
BRIDGE="$PREFIX-br"
MTU=1500
LAUNCHER="${SWITCHYARD_LAUNCHER:-$ROOT/switchyard}"
RUN_DIR="${SWITCHYARD_RUN_DIR:-${TMPDIR:-/tmp}/$PREFIX}"

die() { echo "netlab.sh: $*" >&2; exit 2; }

ns() { echo "$PREFIX-$1"; }
addr() { echo "$NET.$((10 + $1))"; }

namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$PREFIX-[0-9]+$" || true; }

down() {
  local n pid
  for n in $(namespaces); do
    # Every process in the namespace, SIGKILL: a lab torn down after a failed test has no one to wait for.
    for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  for n in $(namespaces); do
    for _ in $(seq 1 50); do [ -z "$(ip netns pids "$n" 2>/dev/null)" ] && break; sleep 0.1; done
    ip netns delete "$n" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^$PREFIX-v[0-9]+$" || true); do
    ip link delete "$link" 2>/dev/null || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
  ip link delete "$BRIDGE"2 2>/dev/null || true
  rm -rf /dev/shm/"$PREFIX"-* 2>/dev/null || true
}

up() {
  local count="$1" i
  [[ "$count" =~ ^[1-9][0-9]?$ ]] || die "up needs a number of hosts from 1 to 99 (got '$count')"
  command -v ip >/dev/null || die "no 'ip' command (iproute2)"
  down
  ip link add "$BRIDGE" type bridge || die "cannot create bridge $BRIDGE (root or CAP_NET_ADMIN needed)"
  ip link set "$BRIDGE" mtu "$MTU"
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  for i in $(seq 0 $((count - 1))); do
    ip netns add "$(ns "$i")"
    ip link add "$PREFIX-v$i" mtu "$MTU" type veth peer name eth0 netns "$(ns "$i")"
    ip link set "$PREFIX-v$i" master "$BRIDGE"
    ip link set "$PREFIX-v$i" up
    ip -n "$(ns "$i")" addr add "$(addr "$i")/24" dev eth0
    ip -n "$(ns "$i")" link set eth0 mtu "$MTU"
    ip -n "$(ns "$i")" link set eth0 up
    # Loopback too: the media driver and the JVM expect one.
    ip -n "$(ns "$i")" link set lo up
  done
  # Every link up and forwarding on the bridge before the lab is declared up.
  for i in $(seq 0 $((count - 1))); do
    local ok=""
    for _ in $(seq 1 50); do
      if ip -n "$(ns "$i")" link show eth0 | grep -q LOWER_UP &&
        bridge link show dev "$PREFIX-v$i" | grep -q "state forwarding"; then ok=1; break; fi
      sleep 0.1
    done
    [ -n "$ok" ] || { down; die "host $i ($(addr "$i")) is not forwarding on the bridge"; }
  done
}

split() {
  [ "$#" -gt 0 ] || die "split needs host numbers"
  if ! ip link show "$BRIDGE"2 >/dev/null 2>&1; then
    ip link add "$BRIDGE"2 type bridge
    ip link set "$BRIDGE"2 mtu "$MTU"
    ip link set "$BRIDGE"2 up
  fi
  local i
  for i in "$@"; do ip link set "$PREFIX-v$i" master "$BRIDGE"2 || die "no host $i"; done
}

join() {
  local link
  for link in $(ip -o link show master "$BRIDGE"2 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link set "$link" master "$BRIDGE"
  done
  ip link delete "$BRIDGE"2 2>/dev/null || true
}

# Starts node I of the lab's cluster on host I (hosts below the gateway count are gateways; a lone
# gateway also hosts experts), in the background, its output appended to its log.
start_node() {
  local model="$1" i="$2" gateways role=experts seeds="" g
  gateways="$(cat "$RUN_DIR/gateways")"
  [ "$i" -lt "$gateways" ] && role=gateway
  [ "$gateways" -eq 1 ] && [ "$i" -eq 0 ] && role=all
  # Every gateway is a seed node: a gateway restarted joins through another. A lone one is the seed.
  for g in $(seq 0 $((gateways - 1))); do seeds="$seeds${seeds:+,}$(addr "$g"):2551"; done
  local seed=(--seed-nodes "$seeds")
  [ "$gateways" -eq 1 ] && [ "$i" -eq 0 ] && seed=()
  # The media driver's directory under a name `down` removes.
  printf 'switchyard.data-plane.aeron-dir = "/dev/shm/%s-%s"\n' "$PREFIX" "$i" >"$RUN_DIR/node-$i.conf"
  ip netns exec "$(ns "$i")" "$LAUNCHER" serve --role "$role" --model "$model" \
    --cluster "$(addr "$i"):2551" --bind "$(addr "$i"):7400" "${seed[@]}" --config "$RUN_DIR/node-$i.conf" \
    >>"$RUN_DIR/node-$i.log" 2>&1 </dev/null &
  echo "node $i ($role) on $(addr "$i"), log $RUN_DIR/node-$i.log"
}

cluster() {
  local model="$1" experts="$2" gateways="$3" i clients=""
  [ -d "$model" ] || die "no model directory $model"
  [ -x "$LAUNCHER" ] || die "no launcher at $LAUNCHER (build first, or set SWITCHYARD_LAUNCHER)"
  [[ "$gateways" =~ ^[1-9][0-9]*$ ]] || die "the gateway count must be 1 or more (got $gateways)"
  trap 'down; exit 130' INT TERM
  trap 'down' EXIT
  up "$((experts + gateways))"
  mkdir -p "$RUN_DIR"
  # `restart` starts a node again with the same model and roles.
  (cd "$model" && pwd) >"$RUN_DIR/model"
  echo "$gateways" >"$RUN_DIR/gateways"
  for i in $(seq 0 $((experts + gateways - 1))); do
    : >"$RUN_DIR/node-$i.log"
    start_node "$model" "$i"
  done
  for i in $(seq 0 $((gateways - 1))); do clients="$clients${clients:+,}$(addr "$i"):7400"; done
  echo "clients: switchyard infer --connect $clients ...; Ctrl-C stops every node and removes the lab"
  # Until every node is gone (a node restarted by `restart` is not this shell's child: `wait` would miss it).
  while [ -n "$(for n in $(namespaces); do ip netns pids "$n" 2>/dev/null; done)" ]; do sleep 1; done
}

# SIGTERM to node I (a gateway drains, an expert node hands its experts over; then it leaves), then,
# once it has exited, the same node started again with the same config. One step of a rolling
# restart: wait until `cluster status` shows it Up (and an expert node hosting experts) before
# restarting the next.
restart() {
  local i="$1" model pids
  [[ "$i" =~ ^[0-9]+$ ]] || die "restart needs a host number"
  [ -f "$RUN_DIR/model" ] || die "no cluster of this lab runs (start one with: netlab.sh cluster MODEL_DIR N)"
  model="$(cat "$RUN_DIR/model")"
  pids="$(ip netns pids "$(ns "$i")" 2>/dev/null)"
  [ -n "$pids" ] || die "nothing runs on host $i"
  # shellcheck disable=SC2086 # one pid a word
  kill -TERM $pids
  for _ in $(seq 1 600); do [ -z "$(ip netns pids "$(ns "$i")" 2>/dev/null)" ] && break; sleep 0.1; done
  [ -z "$(ip netns pids "$(ns "$i")" 2>/dev/null)" ] || die "node $i did not exit within 60 s of SIGTERM"
  echo "node $i left; starting it again"
  start_node "$model" "$i"
}

case "${1:-}" in
  up) up "${2:-}" ;;
  down) down ;;
  addr) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "addr needs a host number"; addr "$2" ;;
  exec)
    [[ "${2:-}" =~ ^[0-9]+$ ]] || die "exec needs a host number"
    i="$2"; shift 2
    ip netns list | awk '{print $1}' | grep -qx "$(ns "$i")" || die "no host $i (run up first)"
    exec ip netns exec "$(ns "$i")" "$@" ;;
  cut) ip link set "$PREFIX-v${2:?cut needs a host number}" down ;;
  heal) ip link set "$PREFIX-v${2:?heal needs a host number}" up ;;
  split) shift; split "$@" ;;
  join) join ;;
  cluster) cluster "${2:?cluster needs MODEL_DIR}" "${3:-2}" "${4:-1}" ;;
  restart) restart "${2:-}" ;;
  list) namespaces ;;
  *) die "usage: netlab.sh up N | down | addr I | exec I CMD... | cut I | heal I | split I J... | join | cluster MODEL_DIR N [G] | restart I | list" ;;
esac
