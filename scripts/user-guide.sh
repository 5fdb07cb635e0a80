#!/usr/bin/env bash
# The five incident questions of docs/USER-GUIDE.md, asked of both viewers on a live demo
# (loadgen with a slow consumer and crashing workers, through a real collector): each question's
# documented key or click sequence is replayed in a freshly opened viewer, the wall time from its
# first input until the answer is on screen is measured, and the screen it ends on is kept as
# screenshots/guide/qN-tui.png and qN-gui.png. Prints the timings as a table (also written to
# screenshots/guide/timings.md).
#   TUI: actorscope-top in tmux, keys by `tmux send-keys`; the screen is polled with
#        `tmux capture-pane` until the answer's text is there; the PNG is made from that capture.
#   GUI: actorscope-gui under Xvfb, clicks by xdotool; the screen is polled with --snap-dir
#        (SIGUSR1: the next frame as PNG, with the text it drew and the frame's time).
# usage: scripts/user-guide.sh [BUILD_DIR]   (default: build)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
BIN="$BUILD/bin"
for b in actorscope-collector actorscope-loadgen actorscope-top actorscope-screen2png actorscope-gui; do
  [ -x "$BIN/$b" ] || { echo "user-guide: $BIN/$b is missing; build first (make build)" >&2; exit 1; }
done
for t in tmux Xvfb xdotool; do
  command -v "$t" >/dev/null || { echo "user-guide: $t is missing; run make deps" >&2; exit 1; }
done
OUT="$ROOT/screenshots/guide"
TMP="$(mktemp -d)"
TS="actorscope-guide-$$"   # the tmux server's socket name
. "$ROOT/scripts/lib/tui-shots.sh"   # FONT, BOLD
[ -f "$FONT" ] || { echo "user-guide: $FONT is missing (apt-get install fonts-dejavu-core)" >&2; exit 1; }
WARMUP="${ACTORSCOPE_GUIDE_WARMUP:-20}"   # seconds of restarts and mailbox growth before the first question
LIMIT=30                                  # seconds a sequence may take before it counts as failed
LOOK=3                                    # seconds a viewer is open before the first input: its
                                          # charts and sparklines get a few points
mkdir -p "$OUT"
PIDS=()
GUI_PID=
cleanup() {
  tmux -L "$TS" kill-server 2>/dev/null || true
  [ -n "$GUI_PID" ] && kill "$GUI_PID" 2>/dev/null
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
die() { echo "user-guide: $*" >&2; exit 1; }

# ---- the demo: the same workload as scripts/screenshots-tui.sh
SOCK="unix:$TMP/collector.sock"
"$BIN/actorscope-collector" --listen "$SOCK" --metrics none >"$TMP/collector.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$TMP/collector.sock" ] && break; sleep 0.1; done
[ -S "$TMP/collector.sock" ] || die "the collector did not start: $(cat "$TMP/collector.log")"
"$BIN/actorscope-loadgen" --collector "$SOCK" --node shop@demo --actors 2000 --depth 3 --fanout 4 \
  --rate 20000 --duration 900 --slow-consumer --slow-every 20 --slow-us 2000 --crash-rate 0.002 \
  --telemetry-rate 0.02 >"$TMP/loadgen.log" 2>&1 &
PIDS+=($!)
echo "user-guide: letting the demo run ${WARMUP}s (restarts, a growing mailbox)"
sleep "$WARMUP"

RESULTS=()   # "question|viewer|sequence|seconds"
FAILED=0
record() { RESULTS+=("$1|$2|$3|$4"); echo "user-guide: $1, $2 ($3): ${4}s"; }

# ---- TUI: actorscope-top at 120x36 in tmux
SCREEN="$TMP/screen.txt"
tui_capture() {  # the screen with its colours (for the PNG) and as text (for the checks)
  tmux -L "$TS" capture-pane -e -p -t top >"$TMP/screen.ansi"
  sed 's/\x1b\[[0-9;:]*[A-Za-z]//g' "$TMP/screen.ansi" >"$SCREEN"
}
tui_wait() {  # tui_wait CHECK: polls the screen until CHECK (a function reading $SCREEN) holds
  local until=$((SECONDS + LIMIT))
  while :; do
    tui_capture
    "$1" && return 0
    [ "$SECONDS" -ge "$until" ] && return 1
    sleep 0.05
  done
}
tui_open() {
  tmux -L "$TS" -f /dev/null new-session -d -s top -x 120 -y 36 \
    "env LANG=C.UTF-8 TERM=xterm-256color $BIN/actorscope-top --collector $SOCK"
  tui_wait tui_has_data || die "actorscope-top showed no actors: $(cat "$SCREEN")"
  sleep "$LOOK"
}
tui_close() { tmux -L "$TS" kill-server 2>/dev/null || true; sleep 0.2; }

tui_has_data() { grep -qE 'actors [0-9.]+k' "$SCREEN" && grep -q 'connected to' "$SCREEN"; }
# 1: Actors, the deepest mailbox first: the first row under the header is the slow consumer
tui_q1() { awk '/NAME .*MAILBOX/ { getline; found = /slow-consumer/; exit } END { exit !found }' "$SCREEN"; }
tui_actors() { tui_q1; }
# 2: its Detail names its parents
tui_q2() { grep -qE '^slow-consumer +<[0-9]+> +on shop@demo' "$SCREEN" && grep -qE '^parents: ' "$SCREEN"; }
# 3: the Tree's RESTARTS column, with the root supervisor's subtree total
tui_q3() { grep -qE 'STRATEGY +BUDGET +MAILBOX +RESTARTS' "$SCREEN" && grep -qE '─▾ top +sup +one_for_one +[0-9]+/[0-9]+ +[0-9.k]+ +[1-9][0-9.]*k? ' "$SCREEN"; }
# 4: Events: a crash with its reason
tui_q4() { grep -q 'REASON / DETAIL' "$SCREEN" && grep -qE ' crashed +worker-[0-9]+ +error: ' "$SCREEN"; }
# 5: the Tree's BUDGET column: restarts in the period against the intensity, per supervisor,
# down to the supervisors of the workers (a level-1 supervisor opened)
tui_tree() { grep -qE 'STRATEGY +BUDGET' "$SCREEN"; }
tui_q5() { tui_tree && grep -qE '─▾ sup-1\.[0-9]+ ' "$SCREEN" && grep -qE 'sup-2\.[0-9]+ +sup +[a-z_]+ +[0-9]+/[0-9]+ ' "$SCREEN"; }

# tui_ask N "SEQUENCE" KEY CHECK [KEY CHECK ...]: each key, then a wait until its check holds
tui_ask() {
  local n=$1 seq=$2
  shift 2
  tui_open
  local t0
  t0=$(now)
  while [ $# -gt 0 ]; do
    tmux -L "$TS" send-keys -t top "$1"
    if ! tui_wait "$2"; then
      echo "user-guide: question $n, TUI: '$seq' did not show the answer within ${LIMIT}s; the screen:" >&2
      cat "$SCREEN" >&2
      record "$n" TUI "$seq" "failed"
      FAILED=1
      tui_close
      return
    fi
    shift 2
  done
  local t1
  t1=$(now)
  cp "$SCREEN" "$OUT/q$n-tui.txt"
  "$BIN/actorscope-screen2png" "$TMP/screen.ansi" "$OUT/q$n-tui.png" "$FONT" "$BOLD" 16
  record "$n" TUI "$seq" "$(since "$t0" "$t1")"
  tui_close
}

tui_ask 1 "2" 2 tui_q1
tui_ask 2 "2, Enter" 2 tui_actors Enter tui_q2
tui_ask 3 "1" 1 tui_q3
tui_ask 4 "3" 3 tui_q4
tui_ask 5 "1, j, j, Right" 1 tui_tree j tui_tree j tui_tree Right tui_q5

# ---- GUI: actorscope-gui under its own Xvfb display
Xvfb -displayfd 5 -screen 0 1920x1200x24 -nolisten tcp 5>"$TMP/display" 2>"$TMP/xvfb.log" &
PIDS+=($!)
for _ in $(seq 300); do [ -s "$TMP/display" ] && break; sleep 0.1; done
[ -s "$TMP/display" ] || die "Xvfb did not start: $(cat "$TMP/xvfb.log")"
export DISPLAY=":$(head -1 "$TMP/display")"
export LIBGL_ALWAYS_SOFTWARE=1
SNAPS="$TMP/snaps"
SNAP=0
SNAP_FILE=
snap() {  # asks the window for its next frame; SNAP_FILE is that frame's text (N.png beside it)
  SNAP=$((SNAP + 1))
  kill -USR1 "$GUI_PID"
  local until=$((SECONDS + LIMIT))
  while [ ! -f "$SNAPS/$SNAP.txt" ]; do
    [ "$SECONDS" -ge "$until" ] && die "actorscope-gui wrote no snapshot $SNAP: $(cat "$TMP/gui.log")"
    sleep 0.02
  done
  SNAP_FILE="$SNAPS/$SNAP.txt"
}
gui_wait() {  # gui_wait CHECK: new frames until CHECK (reading $SNAP_FILE) holds
  local until=$((SECONDS + LIMIT))
  while :; do
    snap
    "$1" && return 0
    [ "$SECONDS" -ge "$until" ] && return 1
    sleep 0.05
  done
}
value() { sed -n "s/^$1|//p" "$SNAP_FILE" | head -1; }     # a --status-file record of the frame
centre() { value "rect $1" | awk '{ printf "%d %d", ($1 + $3) / 2, ($2 + $4) / 2 }'; }
drawn() { sed '1,/^--- drawn text$/d' "$SNAP_FILE"; }     # the text the frame drew
frame_time() { value frame-wall-s; }
WIN=
gui_open() {
  rm -rf "$SNAPS" "$TMP/config"
  mkdir -p "$SNAPS" "$TMP/config"
  SNAP=0
  XDG_CONFIG_HOME="$TMP/config" "$BIN/actorscope-gui" --collector "$SOCK" --size 1600x1000 --snap-dir "$SNAPS" \
    >"$TMP/gui.log" 2>&1 &
  GUI_PID=$!
  WIN=$(xdotool search --sync --onlyvisible --name '^actorscope$' | head -1)
  # The pointer starts off the window, as a user's would be before reaching for it (on the
  # display's middle it would hover a chart and show its tooltip in the shots).
  xdotool mousemove 1850 1150
  gui_wait gui_has_data || die "actorscope-gui showed no actors: $(drawn | head -5)"
  sleep "$LOOK"
  snap
}
gui_close() {
  kill "$GUI_PID" 2>/dev/null || true
  wait "$GUI_PID" 2>/dev/null || true
  GUI_PID=
}
click() { xdotool mousemove --window "$WIN" $1 click 1; }
# A frame that captures its text draws every row (no clipping) and is slow: one between the
# two presses would stretch them past Dear ImGui's double-click time (0.3 s). No frame is asked
# for until that time has passed; the wait counts in the measured time.
double_click() { xdotool mousemove --window "$WIN" $1 click --repeat 2 --delay 80 1; sleep 0.35; }

gui_has_data() { drawn | grep -qE '^NODE .* actors [0-9.]+k '; }
gui_panel() { [ "$(value panel)" = "$1" ]; }
# 1: Actors, the deepest mailbox first: its first row is the slow consumer
gui_q1() { gui_panel Actors && [ "$(value 'actor-row 0 name')" = slow-consumer ]; }
# 2: the actor window's Parent chain
# (Dear ImGui logs a collapsing header as "##Parent chain##", a table row as "| a | b |")
gui_q2() { drawn | grep -q '^\[window\] Actor slow-consumer on shop@demo' && drawn | grep -A3 'Parent chain' | grep -qE '\(a root\)|>'; }
# 3: the tree's outline: Restarts per subtree
gui_outline() { gui_panel "Supervision tree" && [ -n "$(value 'rect tree Outline')" ]; }
gui_q3() { gui_panel "Supervision tree" && drawn | grep -qE '\| Restarts \|' && drawn | grep -qE '^\|.* top \| one_for_one'; }
# 4: Events: a crash with its reason
gui_q4() { gui_panel Events && drawn | grep -qE 'error: simulated fault'; }
# 5: the tree's supervisor boxes: strategy and restart budget
gui_q5() { gui_panel "Supervision tree" && drawn | grep -qE '^(one_for_one|one_for_all|rest_for_one|simple_one_for_one)  [0-9]+/[0-9]+'; }

# gui_ask N "SEQUENCE" ACTION TARGET CHECK [ACTION TARGET CHECK ...]: ACTION (click or
# double_click) on the centre of TARGET (a rectangle the frame reported), then new frames until
# CHECK holds. The time runs from the first input to the frame that answers.
gui_ask() {
  local n=$1 seq=$2
  shift 2
  gui_open
  local t0=
  while [ $# -gt 0 ]; do
    local at
    at=$(centre "$2")
    [ -n "$at" ] || die "question $n, GUI: nothing called '$2' on screen"
    [ -n "$t0" ] || t0=$(now)
    "$1" "$at"
    if ! gui_wait "$3"; then
      echo "user-guide: question $n, GUI: '$seq' did not show the answer within ${LIMIT}s; the frame drew:" >&2
      drawn | grep -v '^| worker-' | head -80 >&2
      record "$n" GUI "$seq" "failed"
      FAILED=1
      gui_close
      return
    fi
    shift 3
  done
  cp "${SNAP_FILE%.txt}.png" "$OUT/q$n-gui.png"
  record "$n" GUI "$seq" "$(since "$t0" "$(frame_time)")"
  gui_close
}

gui_ask 1 "click Actors" click "tab Actors" gui_q1
gui_ask 2 "click Actors, double-click the first row" click "tab Actors" gui_q1 double_click "actor-row 0" gui_q2
gui_ask 3 "click Supervision tree, click Outline" click "tab Supervision tree" gui_outline click "tree Outline" gui_q3
gui_ask 4 "click Events" click "tab Events" gui_q4
gui_ask 5 "click Supervision tree" click "tab Supervision tree" gui_q5

{
  echo "| question | viewer | sequence | seconds |"
  echo "|---|---|---|---|"
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r q v s t <<<"$r"
    echo "| $q | $v | $s | $t |"
  done
} | tee "$OUT/timings.md"
exit "$FAILED"
