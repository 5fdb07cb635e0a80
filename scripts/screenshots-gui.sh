#!/usr/bin/env bash
# Writes screenshots/gui-<panel>.png from a live run: actorscope-collector, actorscope-loadgen
# (restarts and a slow consumer whose mailbox grows) and actorscope-gui --screenshot under Xvfb.
# usage: scripts/screenshots-gui.sh [BUILD_DIR]   (default: build)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
BIN="$BUILD/bin"
for b in actorscope-collector actorscope-loadgen actorscope-demo actorscope-gui; do
  [ -x "$BIN/$b" ] || { echo "screenshots-gui: $BIN/$b is missing; build first (make build)" >&2; exit 1; }
done
command -v xvfb-run >/dev/null || { echo "screenshots-gui: xvfb-run is missing; run make deps" >&2; exit 1; }
WARMUP="${ACTORSCOPE_SCREENSHOT_WARMUP:-20}"   # seconds of history before the first shot
OUT="$ROOT/screenshots"
mkdir -p "$OUT"
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  # SIGTERM, then SIGKILL for whatever is still there after a grace period.
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

SOCK="unix:$TMP/collector.sock"
"$BIN/actorscope-collector" --listen "$SOCK" --metrics none >"$TMP/collector.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$TMP/collector.sock" ] && break; sleep 0.1; done
# Two apps, so that the node selector and the all-nodes view have something to show.
"$BIN/actorscope-loadgen" --collector "$SOCK" --node shop@web-1 --actors 3000 --rate 8000 \
  --duration 600 --slow-consumer --slow-every 50 --slow-us 20000 --crash-rate 0.0002 \
  --intensity 5 --period-ms 10000 --stay 0 \
  --traffic 'ingest>parser:3000' --traffic 'parser>aggregator:1800' --traffic 'aggregator>store:600' \
  >"$TMP/loadgen-1.log" 2>&1 &
PIDS+=($!)
"$BIN/actorscope-loadgen" --collector "$SOCK" --node billing@db-1 --actors 800 --depth 2 --rate 2000 \
  --duration 600 --crash-rate 0.0001 --stay 0 >"$TMP/loadgen-2.log" 2>&1 &
PIDS+=($!)
# The CAF demo, whose restart storms escalate one level (parser_pool gives up, ingest_sup
# restarts it with the aggregator and the store): the exit chain's shot.
ACTORSCOPE_COLLECTOR="$SOCK" ACTORSCOPE_NODE=demo "$BIN/actorscope-demo" --quiet --storm-every 6 --sessions 2 \
  >"$TMP/demo.log" 2>&1 &
PIDS+=($!)
echo "screenshots-gui: letting the system run ${WARMUP}s so that the charts have history"
sleep "$WARMUP"

export LIBGL_ALWAYS_SOFTWARE=1
for panel in overview tree actors actor events telemetry warnings; do
  xvfb-run -a -s "-screen 0 1920x1200x24" "$BIN/actorscope-gui" --collector "$SOCK" \
    --screenshot "$OUT/gui-$panel.png" --panel "$panel" --size 1600x1000 --settle 2500
  echo "screenshots-gui: wrote screenshots/gui-$panel.png"
done
# Flow: one node's map, the busiest edge selected; its history is this viewer's own record,
# so the shot waits a while for points.
xvfb-run -a -s "-screen 0 1920x1200x24" "$BIN/actorscope-gui" --collector "$SOCK" --node shop@web-1 \
  --screenshot "$OUT/gui-flow.png" --panel flow --size 1600x1000 --settle 12000
echo "screenshots-gui: wrote screenshots/gui-flow.png"
# The past: the whole picture 15 s before now, from the collector's flight recorder.
xvfb-run -a -s "-screen 0 1920x1200x24" "$BIN/actorscope-gui" --collector "$SOCK" --at -15s \
  --screenshot "$OUT/gui-past.png" --panel tree --size 1600x1000 --settle 2500
echo "screenshots-gui: wrote screenshots/gui-past.png"
# Why did the store restart? Events with the chain of the demo store's newest restart.
xvfb-run -a -s "-screen 0 1920x1200x24" "$BIN/actorscope-gui" --collector "$SOCK" --node demo --why store \
  --screenshot "$OUT/gui-why.png" --panel events --size 1600x1000 --settle 2500
echo "screenshots-gui: wrote screenshots/gui-why.png"
# Flow by supervisor subtree: the pipeline between ingest_sup's children, on a steady demo (no
# storms, no crashes) started last, so that its actors live long enough for their sampled
# senders to show and the shots above do not have it.
ACTORSCOPE_COLLECTOR="$SOCK" ACTORSCOPE_NODE=steady "$BIN/actorscope-demo" --quiet --storm-every 0 --crash-rate 0 \
  --sessions 2 >"$TMP/steady.log" 2>&1 &
PIDS+=($!)
sleep 12
xvfb-run -a -s "-screen 0 1920x1200x24" "$BIN/actorscope-gui" --collector "$SOCK" --node steady --flow-within ingest_sup \
  --screenshot "$OUT/gui-flow-subtree.png" --size 1600x1000 --settle 4000
echo "screenshots-gui: wrote screenshots/gui-flow-subtree.png"
