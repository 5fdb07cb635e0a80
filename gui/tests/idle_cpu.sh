#!/usr/bin/env bash
# The CPU an idle actorscope-gui takes while it watches ACTORS idle actors (loadgen --scale):
# a collector, loadgen, and the GUI under Xvfb with Mesa's software renderer. Once the GUI has
# had the snapshot for a while, its CPU time (every thread, the renderer's included) is read
# from /proc over SECONDS. Prints one line: actors, panel, seconds, CPU %.
# usage: gui/tests/idle_cpu.sh BUILD_DIR [ACTORS] [PANEL] [SECONDS] [GUI_BINARY]
#        (defaults: 1000000 overview 10 BUILD_DIR/bin/actorscope-gui)
set -euo pipefail
BUILD="$1"
ACTORS="${2:-1000000}"
PANEL="${3:-overview}"
SECS="${4:-10}"
GUI="${5:-$BUILD/bin/actorscope-gui}"
SETTLE="${ACTORSCOPE_IDLE_SETTLE:-20}"  # seconds after the snapshot before measuring
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  # newest first: the GUI, so that xvfb-run ends on its own and takes its Xvfb with it
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill "${PIDS[i]}" 2>/dev/null || true
    wait "${PIDS[i]}" 2>/dev/null || true
  done
  [ -n "${XVFB_RUN:-}" ] && wait "$XVFB_RUN" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

"$BUILD/bin/actorscope-collector" --listen "unix:$TMP/c.sock" --metrics none >"$TMP/collector.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do [ -S "$TMP/c.sock" ] && break; sleep 0.1; done
"$BUILD/bin/actorscope-loadgen" --collector "unix:$TMP/c.sock" --node idle@bench --actors "$ACTORS" --scale \
  --stay 0 >"$TMP/loadgen.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1200); do grep -q "spawned" "$TMP/loadgen.log" && break; sleep 0.1; done

LIBGL_ALWAYS_SOFTWARE=1 xvfb-run -a -s "-screen 0 1920x1200x24" "$GUI" --collector "unix:$TMP/c.sock" \
  --panel "$PANEL" --size 1600x1000 >"$TMP/gui.log" 2>&1 &
XVFB_RUN=$!
GUI_PID=""
for _ in $(seq 300); do
  GUI_PID="$(pgrep -n -f "^$GUI --collector unix:$TMP/c.sock" || true)"
  [ -n "$GUI_PID" ] && break
  sleep 0.1
done
[ -n "$GUI_PID" ] && PIDS+=("$GUI_PID")
[ -n "$GUI_PID" ] || { echo "idle_cpu: the GUI did not start" >&2; cat "$TMP/gui.log" >&2; exit 1; }
# the snapshot: a million actors take about a second to arrive; then let the window settle
sleep "$SETTLE"
cpu() { awk '{print $14 + $15}' "/proc/$GUI_PID/stat"; }
HZ="$(getconf CLK_TCK)"
c0="$(cpu)"
sleep "$SECS"
c1="$(cpu)"
awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v s="$SECS" -v n="$ACTORS" -v p="$PANEL" \
  'BEGIN { printf "actors %d  panel %s  %d s  cpu %.1f %%\n", n, p, s, (b - a) * 100 / hz / s }'
