#!/usr/bin/env bash
# Screenshots of actorscope-top from a live run: loadgen -> collector -> actorscope-top in
# tmux; each view is captured as text (screenshots/tui-VIEW.txt) and as a PNG.
# Usage: scripts/screenshots-tui.sh [BUILD_DIR]   (default: build)
set -eu
BUILD=${1:-build}
BIN="$BUILD/bin"
OUT=screenshots
. "$(dirname "$0")/lib/tui-shots.sh"
for b in actorscope-collector actorscope-loadgen actorscope-demo actorscope-top actorscope-screen2png; do
  [ -x "$BIN/$b" ] || { echo "screenshots-tui: $BIN/$b is missing: build first (make build)" >&2; exit 1; }
done
command -v tmux >/dev/null || { echo "screenshots-tui: tmux is missing (apt-get install tmux)" >&2; exit 1; }
[ -f "$FONT" ] || { echo "screenshots-tui: $FONT is missing (apt-get install fonts-dejavu-core)" >&2; exit 1; }
mkdir -p "$OUT"
TMP=$(mktemp -d)
SOCK="unix:$TMP/collector.sock"
TS="actorscope-shots-$$"
PIDS=()
cleanup() {
  tmux -L "$TS" kill-server 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

"$BIN/actorscope-collector" --listen "$SOCK" --metrics none >"$TMP/collector.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do [ -S "$TMP/collector.sock" ] && break; sleep 0.05; done
"$BIN/actorscope-loadgen" --collector "$SOCK" --node shop@demo --actors 2000 --depth 3 --fanout 4 \
  --rate 20000 --duration 600 --slow-consumer --slow-every 20 --slow-us 2000 --crash-rate 0.002 \
  --telemetry-rate 0.02 \
  --traffic 'ingest>parser:3000' --traffic 'parser>aggregator:1800' --traffic 'aggregator>store:600' \
  >"$TMP/loadgen.log" 2>&1 &
PIDS+=($!)
# The CAF demo beside it: its storms escalate one level (for Chain and Diff).
ACTORSCOPE_COLLECTOR="$SOCK" ACTORSCOPE_NODE=demo "$BIN/actorscope-demo" --quiet --storm-every 6 --sessions 2 \
  >"$TMP/demo.log" 2>&1 &
PIDS+=($!)
sleep 6  # let rates, sparklines and restarts accumulate

tui_start "$SOCK"
keys j j Right j Right   # open the first supervisor and its first child
shot tree tui
keys 2; shot actors tui
keys Enter; shot detail tui
keys Escape; sleep 0.3; keys 3; shot events tui
keys 4; shot telemetry tui
keys 5; shot warnings tui
keys 6; sleep 4; keys g Enter; shot flow tui   # the busiest edge's history, a few seconds of it
keys Escape; keys '?'; shot help tui
keys q
# Why did the demo's store restart (x on its newest event in Events), then what changed in
# the seconds after a mark (m ... d): a second viewer on the demo's node.
sleep 1
tui_start "$SOCK --node demo"
keys 3 / store Enter
sleep 1
keys x; shot chain tui
keys Escape m
sleep 7  # a storm or so
keys d; shot diff tui
keys q
# A steady demo beside it (no storms, no crashes): its pipeline's actors live long enough for
# their sampled senders to show. Flow within one supervisor's subtree (ingest_sup found in
# Tree, then s), and the slow store's Detail with who sends to it.
ACTORSCOPE_COLLECTOR="$SOCK" ACTORSCOPE_NODE=steady "$BIN/actorscope-demo" --quiet --storm-every 0 --crash-rate 0 \
  --sessions 2 >"$TMP/steady.log" 2>&1 &
PIDS+=($!)
sleep 12
tmux -L "$TS" kill-server 2>/dev/null || true
tui_start "$SOCK --node steady"
keys 1 / ingest_sup Enter
sleep 0.5
keys s
sleep 3  # the collector's answer, asked again each second
shot flow-subtree tui
keys 2 / store Enter
sleep 0.5
keys g Enter
sleep 1.5
shot store tui
keys q
