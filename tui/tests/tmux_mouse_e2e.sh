#!/usr/bin/env bash
# End to end at 80x24: actorscope-top in tmux, watching loadgen through a collector, driven
# with the mouse as a terminal sends it (xterm SGR sequences), plus export, copy and help.
# Checks: a click on each tab shows its view; a click on a row selects it and Enter opens
# that row's actor; the wheel scrolls the list; e writes the table's rows under the table's
# columns; c puts the selected row on the clipboard (OSC 52); Enter on a Warnings row opens
# the actor named in it while new warnings arrive; the help scrolls to its last line.
# Every wait polls the screen until a deadline and prints the screen when it fails.
# Usage: tmux_mouse_e2e.sh BIN_DIR   (exit 77: tmux is not installed, the test is skipped)
set -u
BIN=$(cd "$1" && pwd) || exit 1
command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed"; exit 77; }
unset TMUX
TMP=$(mktemp -d /tmp/actorscope-top-mouse.XXXXXX)
SOCK="unix:$TMP/collector.sock"
TMUX_SOCKET="actorscope-mouse-$$"
DEADLINE=${ACTORSCOPE_E2E_DEADLINE:-60}  # seconds any one wait may take (loaded CI machines)
QUITTING=0
PIDS=()
LOADGENS=()
cleanup() {
  tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
  # loadgen stopped by SIGTERM first drains its slow consumer's backlog: a minute at 13k
  for p in "${LOADGENS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

t() { tmux -L "$TMUX_SOCKET" "$@"; }
screen() { t capture-pane -p -t top; }
fail() {
  echo "FAIL: $*"
  echo "---- screen ----"
  screen 2>/dev/null
  echo "---- collector log ----"
  tail -5 "$TMP/collector.log"
  echo "---- loadgen log ----"
  tail -5 "$TMP/loadgen.log"
  exit 1
}
# Runs the command until it succeeds, or fails with MESSAGE after DEADLINE seconds.
wait_until() {
  local message=$1 start=$SECONDS
  shift
  until "$@"; do
    [ "$SECONDS" -lt $((start + DEADLINE)) ] || fail "$message (waited ${DEADLINE}s)"
    [ "$QUITTING" = 1 ] || ! screen | grep -q "^exit=" || fail "actorscope-top ended: $message"
    sleep 0.1
  done
  # long waits are worth knowing about (the deadline is what fails)
  [ $((SECONDS - start)) -lt 5 ] || echo "   waited $((SECONDS - start))s until not: $message"
}
shows() { screen | grep -Eq -- "$1"; }
hides() { ! screen | grep -Eq -- "$1"; }
wait_for() { wait_until "the screen never showed /$1/" shows "$1"; }
wait_gone() { wait_until "the screen still shows /$1/" hides "$1"; }
keys() { t send-keys -t top "$@"; }
step() { echo "-- $* (${SECONDS}s)"; }

# mouse BUTTON X Y: a press at the 0-based cell (X, Y) as xterm's SGR mode (1006) encodes it,
# 0: left button (followed by its release, as a terminal sends it), 64/65: wheel up/down.
mouse() {
  local seq
  seq=$(printf '\033[<%d;%d;%dM' "$1" $(($2 + 1)) $(($3 + 1)))
  [ "$1" = 0 ] && seq+=$(printf '\033[<0;%d;%dm' $(($2 + 1)) $(($3 + 1)))
  # -H: the bytes as they are, never read as key names
  # shellcheck disable=SC2046
  t send-keys -t top -H $(printf '%s' "$seq" | od -An -tx1)
}

# A frame captured twice alike (the rows stand still while paused): text in $FRAME (one
# line per row, 1-based as sed counts) and, in $SELECTED, the row drawn in the selection's
# colours (black on cyan), 0 when none is.
capture() {
  local raw plain
  raw=$(t capture-pane -p -e -t top)
  plain=$(t capture-pane -p -t top)
  FRAME=$plain
  SELECTED=$(printf '%s\n' "$raw" | grep -n $'\033\\[46m' | head -1 | cut -d: -f1)
  SELECTED=${SELECTED:-0}
}
same_twice() {
  local before=$FRAME
  capture
  [ "$FRAME" = "$before" ]
}
steady_frame() {
  capture
  wait_until "the screen never stood still" same_twice
}
line() { printf '%s\n' "$FRAME" | sed -n "$1p"; }
# The 1-based screen line showing an extended regex, 0 when none does.
line_of() {
  local n
  n=$(printf '%s\n' "$FRAME" | grep -En -- "$1" | head -1 | cut -d: -f1)
  echo "${n:-0}"
}
# The 0-based column where TEXT starts on 1-based screen line N.
column_of() { line "$2" | awk -v t="$1" '{ print index($0, t) - 1 }'; }
# The Detail title of NAME (the panel's first line); a name the list cut ends in an ellipsis.
detail_title() {
  local n=${1//./\\.}
  case "$n" in *…) printf '^%s' "${n%…}" ;; *) printf '^%s  <[0-9]+>' "$n" ;; esac
}

"$BIN/actorscope-collector" --listen "$SOCK" --metrics none >"$TMP/collector.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 200); do [ -S "$TMP/collector.sock" ] && break; sleep 0.05; done
[ -S "$TMP/collector.sock" ] || fail "the collector did not listen on $SOCK"
# A slow consumer whose mailbox keeps growing (a warning that stays) and supervisors that
# use up their restart budget and get it back (warnings that come and go).
"$BIN/actorscope-loadgen" --collector "$SOCK" --node e2e --actors 120 --rate 2000 --duration 600 \
  --slow-consumer --slow-every 5 --slow-us 5000 --crash-rate 0.01 >"$TMP/loadgen.log" 2>&1 &
PIDS+=($!)
LOADGENS+=($!)

t -f /dev/null new-session -d -s top -x 80 -y 24 \
  "cd $TMP && env -u NO_COLOR LANG=C.UTF-8 TERM=xterm-256color $BIN/actorscope-top --collector $SOCK; echo exit=\$?; sleep 60"
# An application's OSC 52 lands in tmux's paste buffer: the copy can be read back.
t set -s set-clipboard on

wait_for "node e2e"
wait_for "sup-1\.1 "
# The viewer asked the terminal for mouse reports in SGR mode: the sequences below are the
# ones a terminal would send it.
mouse_on() { [ "$(t display -p -t top '#{mouse_sgr_flag}#{mouse_standard_flag}')" = 11 ]; }
wait_until "actorscope-top did not turn on SGR mouse reporting" mouse_on

step tabs
# ---- A click on each tab shows its view (a sequence read as keys instead would end on
# Events, through its digits: "3" is the tabs' row, so Events is clicked after the others).
capture  # live: the rows move, the tab bar does not
TABS=$(line_of " 1 Tree ")
[ "$TABS" -gt 0 ] || fail "no tab bar"
for tab in "2 Actors:vMAILBOX" "4 Telemetry:EVENT / MEASUREMENT" "5 Warnings:SEVERITY" "1 Tree:STRATEGY" \
           "3 Events:REASON / DETAIL" "2 Actors:vMAILBOX"; do
  label=${tab%%:*}
  x=$(column_of "$label" "$TABS")
  [ "$x" -ge 0 ] || fail "no tab '$label' on line $TABS"
  mouse 0 $((x + 2)) $((TABS - 1))
  wait_for "${tab#*:}"
done

step "Actors paused, e: CSV"
# ---- Actors, paused so that rows stay where they were drawn, once the slow consumer's
# backlog puts it first (the checks below find the list's top by it).
# The selection follows the actor it is on: one put on the first row before the backlog led
# keeps that actor as the list re-sorts, and the list scrolls with it. g puts it back on the
# first row, as a user would.
leads() {
  capture
  line "$(($(line_of "vMAILBOX") + 1))" | awk '$2 == "slow-consumer" && $4 != "0" { ok = 1 } END { exit !ok }' && return 0
  keys g
  return 1
}
wait_until "the slow consumer never led the Actors list with a backlog" leads
keys Space
wait_for "\[PAUSED\]"
# e sorts the list whole (after heavy churn it is sorted a window at a time and can still
# settle between paused frames): from here on the paused rows stand still.
keys e
wait_for "exported [0-9]+ actors to "
steady_frame
HEAD=$(line_of "vMAILBOX")
TOP=$((HEAD + 1))      # the list's first row
BOTTOM=23              # its last: line 24 is the status line
[ -n "$(line "$BOTTOM")" ] || fail "fewer actors than the list has rows: nothing to scroll"
selected_at() { capture; [ "$SELECTED" = "$1" ]; }
scrolled_to_last() { capture; [ "$SELECTED" = "$BOTTOM" ] && ! line "$TOP" | grep -q " slow-consumer "; }
back_to_first() { capture; [ "$SELECTED" = "$TOP" ] && line "$TOP" | grep -q " slow-consumer "; }

# ---- e: the table as CSV, under the table's columns, in the table's order.
# The rows shown: the list as exported.
ROWS=()
for y in $(seq "$TOP" "$BOTTOM"); do ROWS+=("$(line "$y")"); done
csv=$(find "$TMP" -maxdepth 1 -name 'actorscope-actors-*.csv')
[ -n "$csv" ] || fail "no actorscope-actors-*.csv in the directory actorscope-top runs in"
[ "$(printf '%s\n' "$csv" | wc -l)" = 1 ] ||
  fail "not one actorscope-actors-*.csv in the directory actorscope-top runs in: $csv"
status=$(line 24)
case "$status" in *"$(basename "$csv")"*) ;; *) fail "the status line does not name the file $(basename "$csv"): $status" ;; esac
exported=$(printf '%s\n' "$status" | grep -Eo "exported [0-9]+" | awk '{ print $2 }')
[ "$(($(wc -l <"$csv") - 1))" = "$exported" ] || fail "$(($(wc -l <"$csv") - 1)) CSV rows, the status line says $exported"
actors=$(line 1 | grep -Eo "actors [0-9]+\b" | awk '{ print $2 }')
[ "$exported" = "${actors:-?}" ] || fail "exported $exported actors, the header counts '$actors'"
header=$(head -1 "$csv")
csv_column() { printf '%s\n' "$header" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
# Each title of the table, the CSV column holding its values; an exact check for the text
# and for numbers shown whole (below 1000), the scale for the others.
read -ra TITLES <<<"$(line "$HEAD")"
for ((i = 0; i < ${#TITLES[@]}; ++i)); do
  case "${TITLES[$i]#[v^]}" in
    NODE) col=node check="text" ;;
    NAME) col=name check="text" ;;
    TYPE) col=type check="text" ;;
    STATE) col=state check="text" ;;
    MAILBOX) col=mailbox check="count" ;;
    RESTARTS) col=restarts check="count" ;;
    MSG/S | RED/S | RATE/S) col=rate_per_s check="none" ;;
    GROWTH) col=growth_per_s check="none" ;;
    BUSY | AVG) col=busy_ns check="none" ;;
    *) fail "the table's column ${TITLES[$i]} has no column in the CSV ($header)" ;;
  esac
  n=$(csv_column "$col")
  [ -n "$n" ] || fail "the CSV has no column $col for the table's ${TITLES[$i]}: $header"
  for ((r = 0; r < ${#ROWS[@]}; ++r)); do
    read -ra cells <<<"${ROWS[$r]}"
    [ "${#cells[@]}" = "${#TITLES[@]}" ] || fail "row $((r + 1)) has ${#cells[@]} cells under ${#TITLES[@]} titles: ${ROWS[$r]}"
    got=${cells[$i]}
    want=$(sed -n "$((r + 2))p" "$csv" | cut -d, -f"$n")
    case "$check" in
      text) case "$got" in
              *…) [ "${want#"${got%…}"}" != "$want" ] || fail "CSV row $((r + 1)) $col '$want' is not the screen's '$got'" ;;
              *) [ "$want" = "$got" ] || fail "CSV row $((r + 1)) $col '$want' is not the screen's '$got'" ;;
            esac ;;
      count) if [ "$want" -lt 1000 ]; then
               [ "$want" = "$got" ] || fail "CSV row $((r + 1)) $col $want, the screen shows $got"
             else
               case "$got" in *k | *M | *G) ;; *) fail "CSV row $((r + 1)) $col $want, the screen shows $got" ;; esac
             fi ;;
    esac
  done
done

step "c: OSC 52"
# ---- c: the selected row as a CSV line, through OSC 52 into tmux's paste buffer.
t delete-buffer 2>/dev/null
keys g
wait_until "g did not select the first row, the slow consumer" back_to_first
keys c
wait_for "copied \(OSC 52\)"
first_row=$(sed -n 2p "$csv")
copied() { [ "$(t show-buffer 2>/dev/null)" = "$first_row" ]; }
wait_until "the clipboard (tmux's buffer) never held the first row '$first_row'" copied

step "Actors: a row clicked, the wheel"
# A click on the sixth row selects it; Enter opens the actor it names.
y=$((TOP + 5))
mouse 0 10 $((y - 1))
wait_until "a click on line $y did not select it" selected_at "$y"
name=$(line "$y" | awk '{ print $2 }')
keys Enter
wait_for "$(detail_title "$name")"
keys Escape
wait_for "vMAILBOX"

# The wheel: eight notches down move the selection 24 rows, past the 19 shown, so the list
# scrolls (the slow consumer, first by mailbox, leaves the top); eight up bring it back to
# the first row. Only the end states match: none on the way (6 notches down put the
# selection on the last row too, unscrolled; 7 up leave it on the first row, scrolled by 3).
keys g
wait_until "g did not select the first row, the slow consumer" back_to_first
for i in 1 2 3 4 5 6 7 8; do mouse 65 10 $((TOP + 2)); done
wait_until "the wheel did not scroll the list down with the selection on its last row" scrolled_to_last
for i in 1 2 3 4 5 6 7 8; do mouse 64 10 $((TOP + 2)); done
wait_until "the wheel did not scroll back to the first row" back_to_first

keys Space
wait_gone "\[PAUSED\]"

step "Warnings: Enter while warnings arrive"
# ---- Warnings: Enter on a row opens the actor it names while warnings come and go. The
# slow consumer's warning stays; the node's restart storms come and go above it, and a
# second node started once it is selected crashes often enough to use up its restart
# budgets (critical warnings, listed above it) and has a slow consumer of its own.
keys 5
wait_for "SEVERITY"
wait_for " slow-consumer "
keys Space
wait_for "\[PAUSED\]"
steady_frame
y=$(line_of "^warning +e2e +[a-z_]+ +slow-consumer ")
[ "$y" -gt 0 ] || fail "no warning about slow-consumer"
kind=$(line "$y" | awk '{ print $3 }')
mouse 0 4 $((y - 1))
wait_until "a click on the slow-consumer warning did not select it" selected_at "$y"
"$BIN/actorscope-loadgen" --collector "$SOCK" --node storm --actors 40 --rate 1000 --duration 600 \
  --crash-rate 0.2 --slow-consumer --slow-every 5 --slow-us 20000 >"$TMP/loadgen-storm.log" 2>&1 &
PIDS+=($!)
LOADGENS+=($!)
keys Space
wait_gone "\[PAUSED\]"
# Its row moved and the selection with it. Down: warnings came above it. Up: warnings above
# it left; a selection kept on the row number and clamped to the end of a shorter list
# could land on it too, unless a row follows it (the second node's slow consumer, whose
# warning sorts after this node's).
moved_with_it() {
  capture
  local at
  at=$(line_of "^[a-z]+ +e2e +$kind +slow-consumer ")
  [ "$at" -gt 0 ] && [ "$at" != "$y" ] && [ "$SELECTED" = "$at" ] || return 1
  [ "$at" -gt "$y" ] || { [ "$at" -lt 23 ] && [ -n "$(line $((at + 1)))" ]; }
}
step "waiting for its row to move"
wait_until "the slow-consumer warning's row never moved, or the selection did not follow it" moved_with_it
keys Enter
wait_for "$(detail_title slow-consumer)"
keys Escape
wait_for "SEVERITY"

step "help at 80x24"
# ---- Help at 80x24: longer than the screen, it says so and scrolls to its last line.
keys '?'
wait_for "actorscope-top keys +lines 1-"
shows "more below" || fail "the help does not say there is more below"
shows "^  q +quit" && fail "the help's last key fits at 80x24: nothing to scroll"
mouse 65 10 10
mouse 65 10 10
wait_for "actorscope-top keys +lines 7-"
for i in 1 2 3 4 5 6 7 8; do mouse 65 10 10; done  # the help stops at its end
wait_for "^  q +quit"
wait_for "Shift \+ drag"
hides "more below" || fail "the end of the help still says there is more below"
shows "lines [0-9]+-([0-9]+) of \1," || fail "the help's title does not say its last line is shown"
keys PgUp PgUp
wait_for "^  Up, k +move up"
wait_for "more below"

step quit
# ---- q quits: exit status 0, the terminal left as it was (no alternate screen, no mouse).
QUITTING=1
keys q
wait_for "exit=0"
[ "$(t display -p -t top '#{alternate_on}')" = 0 ] || fail "the terminal was left in the alternate screen"
[ "$(t display -p -t top '#{mouse_any_flag}')" = 0 ] || fail "the terminal was left reporting the mouse"
echo "PASS"
