#!/usr/bin/env bash
# Screenshots of a live Elixir node attached by actorscope-beam: beam/demo/shop.exs ->
# actorscope-beam -> collector -> actorscope-top in tmux (the tree and the actors views, with
# the BEAM header line, as text and PNG: screenshots/tui-beam-*.txt, .png) and actorscope-gui
# under Xvfb when it is built (the tree and the overview with its VM line:
# screenshots/gui-beam-tree.png, gui-beam-overview.png).
# Usage: beam/demo/screenshots.sh [BUILD_DIR]   (default: build)
set -eu
BUILD=${1:-build}
BIN="$BUILD/bin"
OUT=screenshots
BEAM=${ACTORSCOPE_BEAM_BIN:-$BIN/actorscope-beam}
[ -x "$BEAM" ] || { echo "beam screenshots: $BEAM is missing: build first (make build)" >&2; exit 1; }
for b in actorscope-collector actorscope-top actorscope-screen2png; do
  [ -x "$BIN/$b" ] || { echo "beam screenshots: $BIN/$b is missing: build first (make build)" >&2; exit 1; }
done
command -v tmux >/dev/null || { echo "beam screenshots: tmux is missing" >&2; exit 1; }
command -v elixir >/dev/null || { echo "beam screenshots: elixir is missing (make deps)" >&2; exit 1; }
mkdir -p "$OUT"
TMP=$(mktemp -d)
SOCK="unix:$TMP/collector.sock"
TS="actorscope-beam-shots-$$"
. "$(dirname "$0")/../../scripts/lib/tui-shots.sh"
PIDS=()
cleanup() {
  tmux -L "$TS" kill-server 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

epmd -daemon
head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$TMP/.erlang.cookie"
chmod 400 "$TMP/.erlang.cookie"
SHOP="shop_$$"
HOME="$TMP" SHOP_CHAOS=1 SHOP_ORDERS=300 elixir --sname "$SHOP" --no-halt "$(dirname "$0")/shop.exs" >"$TMP/shop.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 300); do grep -q "shop running" "$TMP/shop.log" 2>/dev/null && break; sleep 0.1; done
"$BIN/actorscope-collector" --listen "$SOCK" --metrics none >"$TMP/collector.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do [ -S "$TMP/collector.sock" ] && break; sleep 0.05; done
"$BEAM" --node "$SHOP@$(hostname -s)" --cookie-file "$TMP/.erlang.cookie" --collector "$SOCK" \
  >"$TMP/beam.log" 2>&1 &
PIDS+=($!)
sleep 12  # a few scans, restarts from the shop's chaos, rates

tui_start "$SOCK"
# Down to the shop application, open it and its top supervisor.
keys /; sleep 0.3; keys -l "Shop.Supervisor"; keys Enter; sleep 0.5; keys Escape; sleep 0.3; keys Right; sleep 0.3
shot tree tui-beam
# The processes, busiest first (MSG/S: reductions per second for a BEAM node).
keys 2; sleep 0.3; keys Right; shot actors tui-beam
keys q
GUI=${ACTORSCOPE_GUI_BIN:-$BIN/actorscope-gui}
if [ -x "$GUI" ] && command -v xvfb-run >/dev/null; then
  LIBGL_ALWAYS_SOFTWARE=1 xvfb-run -a -s "-screen 0 1920x1200x24" "$GUI" --collector "$SOCK" \
    --screenshot "$OUT/gui-beam-tree.png" --panel tree --size 1600x1000 --settle 2500
  echo "beam screenshots: $OUT/gui-beam-tree.png"
  LIBGL_ALWAYS_SOFTWARE=1 xvfb-run -a -s "-screen 0 1920x1200x24" "$GUI" --collector "$SOCK" \
    --screenshot "$OUT/gui-beam-overview.png" --panel overview --size 1600x1000 --settle 2500
  echo "beam screenshots: $OUT/gui-beam-overview.png"
fi
