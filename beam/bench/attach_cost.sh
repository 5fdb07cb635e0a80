#!/usr/bin/env bash
# The steady cost of an attach on the node: a plain `erl -sname` node with N idle processes
# (default 0), the collector, actorscope-beam with its defaults; the node samples its own
# reductions every 10 s (actorscope_bench_cost.erl), first alone, then attached.
# Prints the means over the windows after a warm-up (the attach and its first scan), and the
# node's CPU time (from /proc) in the same windows.
# Usage: beam/bench/attach_cost.sh [BUILD_DIR] [PROCESSES] [SECONDS]
#        (ACTORSCOPE_BEAM_BIN: another actorscope-beam to measure)
set -eu
BUILD=${1:-build}
N=${2:-0}
SECONDS_ATTACHED=${3:-120}
BIN="$BUILD/bin"
BEAM=${ACTORSCOPE_BEAM_BIN:-$BIN/actorscope-beam}
for b in "$BEAM" "$BIN/actorscope-collector"; do
  [ -x "$b" ] || { echo "attach_cost: $b is missing: build first (make build)" >&2; exit 1; }
done
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
erlc -o "$TMP" "$(dirname "$0")/erlang/actorscope_bench_cost.erl"
epmd -daemon
head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$TMP/.erlang.cookie"
chmod 400 "$TMP/.erlang.cookie"
NODE="cost_$$"
HOME="$TMP" erl -sname "$NODE" +P 2000000 -noshell -noinput -pa "$TMP" \
  -eval "actorscope_bench_cost:start($N, 10000)" >"$TMP/node.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 600); do grep -q "^spawned" "$TMP/node.log" 2>/dev/null && break; sleep 0.1; done
OS_PID=$(pgrep -f -- "-sname $NODE" | head -1)
cpu() { awk '{print $14 + $15}' "/proc/$OS_PID/stat"; }
mean() {  # mean of a field over the sample lines after line $1
  tail -n +"$(($1 + 1))" "$TMP/node.log" | grep '^sample' | sed -n "s/.*$2=\([0-9]*\).*/\1/p" |
    awk '{s += $1; n++} END {if (n) printf "%.0f", s / n; else print "-"}'
}
"$BIN/actorscope-collector" --listen "unix:$TMP/collector.sock" --metrics none >"$TMP/collector.log" 2>&1 &
PIDS+=($!)
sleep 35  # three windows alone
ALONE=$(mean "$(grep -n '^spawned' "$TMP/node.log" | cut -d: -f1)" node_reductions_per_s)
"$BEAM" --node "$NODE@$(hostname -s)" --cookie-file "$TMP/.erlang.cookie" --collector "unix:$TMP/collector.sock" \
  >"$TMP/beam.log" 2>&1 &
PIDS+=($!)
sleep 40  # warm-up: the attach, its first scan and walks
FROM=$(wc -l <"$TMP/node.log")
C0=$(cpu)
sleep "$SECONDS_ATTACHED"
C1=$(cpu)
TICKS=$(getconf CLK_TCK)
echo "attach_cost: $N idle processes (node: $(mean "$FROM" processes) processes), means over ${SECONDS_ATTACHED} s after a 40 s warm-up"
echo "  node alone:  $ALONE reductions/s"
echo "  attached:    $(mean "$FROM" node_reductions_per_s) reductions/s on the node, of which actorscope-beam's relay $(mean "$FROM" relay_reductions_per_s)/s"
echo "  node CPU:    $(awk -v a="$C0" -v b="$C1" -v t="$TICKS" -v s="$SECONDS_ATTACHED" 'BEGIN {printf "%.2f %% of one core", (b - a) / t / s * 100}') (attached)"
