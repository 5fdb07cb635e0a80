#!/usr/bin/env bash
# End to end: actorscope-top in a 100x30 tmux pane, watching loadgen through a collector:
# keys, mouse clicks (xterm SGR sequences, as a terminal sends them), Warnings Enter while
# warnings change, CSV export against the paused screen, copy through OSC 52 into tmux's
# clipboard, and the help scrolling at 80x24.
# Usage: tmux_e2e.sh BIN_DIR
set -u
BIN=$1
TMP=$(mktemp -d /tmp/actorscope-top-e2e.XXXXXX)
SOCK="unix:$TMP/collector.sock"
TMUX_SOCKET="actorscope-e2e-$$"
PIDS=()
cleanup() {
  tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "---- screen ----"
  tmux -L "$TMUX_SOCKET" capture-pane -p -t top 2>/dev/null
  echo "---- collector log ----"
  tail -20 "$TMP/collector.log"
  exit 1
}
screen() { tmux -L "$TMUX_SOCKET" capture-pane -p -t "${PANE:-top}"; }
# Polls until the screen matches an extended regex (30 s at most).
wait_for() {
  local what=$1 i
  for i in $(seq 1 300); do
    if screen | grep -Eq -- "$what"; then return 0; fi
    sleep 0.1
  done
  fail "screen never showed /$what/"
}
keys() { tmux -L "$TMUX_SOCKET" send-keys -t "${PANE:-top}" "$@"; }
# mouse BUTTON X Y: a press at the 0-based cell (X, Y), as xterm's SGR mode encodes it
# (0: left button, 64/65: wheel up/down); a left press is followed by its release.
mouse() {
  local seq
  seq=$(printf '\033[<%d;%d;%dM' "$1" $(($2 + 1)) $(($3 + 1)))
  [ "$1" = 0 ] && seq+=$(printf '\033[<0;%d;%dm' $(($2 + 1)) $(($3 + 1)))
  tmux -L "$TMUX_SOCKET" send-keys -t "${PANE:-top}" -l "$seq"
}
# The 0-based column where TEXT starts on screen line Y (0-based), or fails.
column_of() {
  local col
  col=$(screen | sed -n "$(($2 + 1))p" | awk -v t="$1" '{ print index($0, t) - 1 }')
  [ -n "$col" ] && [ "$col" -ge 0 ] || fail "'$1' is not on line $2"
  echo "$col"
}
# The text of column NAME (from the header on line HY) on screen line Y, spaces trimmed.
cell() {
  local line head from to
  head=$(screen | sed -n "$(($1 + 1))p")
  line=$(screen | sed -n "$(($3 + 1))p")
  from=$(awk -v h="$head" -v n="$2" 'BEGIN { print index(h, n) - 1 }')
  to=$(awk -v h="$head" -v n="$4" 'BEGIN { print index(h, n) - 1 }')
  echo "${line:$from:$((to - from))}" | sed 's/^ *//; s/ *$//'
}
# The number in the right-aligned column TITLE (header on line HY) on screen line Y.
number() {
  local line head to
  head=$(screen | sed -n "$(($1 + 1))p")
  line=$(screen | sed -n "$(($3 + 1))p")
  to=$(awk -v h="$head" -v n="$2" 'BEGIN { print index(h, n) - 1 + length(n) }')
  echo "${line:0:$to}" | awk '{ print $NF }'
}
# A regex for the Detail title of NAME as a row showed it (a cut name ends in an ellipsis).
title_of() {
  local n=${1//./\\.}
  case "$n" in *…) echo "^${n%…}" ;; *) echo "^$n  <[0-9]+>  on e2e" ;; esac
}

"$BIN/actorscope-collector" --listen "$SOCK" --metrics none >"$TMP/collector.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do [ -S "$TMP/collector.sock" ] && break; sleep 0.05; done
"$BIN/actorscope-loadgen" --collector "$SOCK" --node e2e --actors 120 --rate 2000 --duration 120 \
  --slow-consumer --slow-every 5 --slow-us 5000 --crash-rate 0.01 >"$TMP/loadgen.log" 2>&1 &
PIDS+=($!)

tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s top -x 100 -y 30 \
  "cd $TMP && env LANG=C.UTF-8 TERM=xterm-256color $BIN/actorscope-top --collector $SOCK; echo exit=\$?; sleep 30"
# An application's OSC 52 lands in tmux's paste buffer: the copy key's text can be read back.
tmux -L "$TMUX_SOCKET" set -s set-clipboard on

# Tree: the node and its supervisors with their strategies.
wait_for "node e2e"
wait_for "top .*one_for_one"
wait_for "sup-1\.1 .*(one_for_all|rest_for_one|simple_one_for_one)"

# Actors, by a click on its tab: sorted by mailbox (the default column), the slow consumer first.
mouse 0 "$(column_of "2 Actors" 2)" 2
wait_for "vMAILBOX"
for i in $(seq 1 300); do
  first=$(screen | sed -n 5p)
  case "$first" in *slow-consumer*) break ;; esac
  sleep 0.1
done
case "$first" in *slow-consumer*) ;; *) fail "the first actor by mailbox is not the slow consumer: $first" ;; esac
# Sorting on another column and back.
keys Right
wait_for "vMSG/S"
keys Left
wait_for "vMAILBOX"

# Enter: its detail.
keys Enter
wait_for "slow-consumer  <[0-9]+>  on e2e"
wait_for "mailbox history"
wait_for "parents: "
keys Escape
wait_for "vMAILBOX"

# A click on a row selects it; Enter opens the actor named in that row. Paused, so that the
# rows stay where they were drawn.
keys Space
wait_for "PAUSED"
row=$(screen | sed -n 8p)
name=$(cell 3 NAME 7 TYPE)
[ -n "$name" ] || fail "no name on row 8: $row"
mouse 0 5 7
keys Enter
wait_for "$(title_of "$name")"
keys Escape
wait_for "vMAILBOX"

# e: the Actors table as CSV; its rows are the paused screen's rows, in order, with the
# screen's names and (below 1000, where the screen shows every digit) its mailbox depths.
keys e
wait_for "exported [0-9]+ actors to "
csv=$(screen | grep -Eo "exported [0-9]+ actors to [^ ]+" | awk '{ print $5 }')
[ -f "$csv" ] || fail "no file $csv"
shown=$(screen | grep -Eo "actors [0-9]+" | head -1 | awk '{ print $2 }')
lines=$(($(wc -l <"$csv") - 1))
head -1 "$csv" | grep -q '^node,actor_id,name,' || fail "CSV header: $(head -1 "$csv")"
name_col=$(head -1 "$csv" | tr ',' '\n' | grep -nx name | cut -d: -f1)
mailbox_col=$(head -1 "$csv" | tr ',' '\n' | grep -nx mailbox | cut -d: -f1)
for y in $(seq 4 28); do
  i=$((y - 3))
  [ "$i" -le "$lines" ] || break
  want_name=$(sed -n "$((i + 1))p" "$csv" | cut -d, -f"$name_col")
  want_mailbox=$(sed -n "$((i + 1))p" "$csv" | cut -d, -f"$mailbox_col")
  got_name=$(cell 3 NAME "$y" TYPE)
  got_mailbox=$(number 3 vMAILBOX "$y")
  case "$want_name" in "${got_name%…}"*) ;; *) fail "CSV row $i is '$want_name', the screen's is '$got_name'" ;; esac
  if [ "$want_mailbox" -lt 1000 ] && [ "$want_mailbox" != "$got_mailbox" ]; then
    fail "CSV row $i ($want_name) has mailbox $want_mailbox, the screen $got_mailbox"
  fi
done
[ "$lines" = "$shown" ] || fail "$lines CSV rows, the header counts $shown actors"

# c: the selected row (the first) as a CSV line, through OSC 52 into tmux's paste buffer.
keys g c
wait_for "copied \(OSC 52\)"
for i in $(seq 1 50); do
  buffer=$(tmux -L "$TMUX_SOCKET" show-buffer 2>/dev/null) && break
  sleep 0.1
done
[ "$buffer" = "$(sed -n 2p "$csv")" ] || fail "the clipboard holds '$buffer', not the first CSV row '$(sed -n 2p "$csv")'"
keys Space
wait_for "msg/s"

# Events: a crash with its reason, by a click on its tab.
mouse 0 "$(column_of "3 Events" 2)" 2
wait_for "crashed +worker"

# Warnings: Enter on the second row opens the actor that row names, while warnings change.
keys 5
wait_for "SEVERITY +KIND|SEVERITY +NODE"
for i in $(seq 1 300); do
  screen | sed -n 6p | grep -Eq "(warning|critical|info) " && break
  sleep 0.1
done
keys j
subject=$(cell 3 ACTOR 5 TEXT)
case "$subject" in ""|"(node)"|*"(gone)") subject=$(cell 3 ACTOR 4 TEXT); keys k ;; esac
case "$subject" in ""|"(node)"|*"(gone)") fail "no warning about a live actor: $(screen)" ;; esac
keys Enter
wait_for "$(title_of "$subject")"
keys Escape

# Help at 80x24: it says there is more, scrolls to its last line, and back with the wheel.
tmux -L "$TMUX_SOCKET" new-session -d -s small -x 80 -y 24 \
  "env LANG=C.UTF-8 TERM=xterm-256color $BIN/actorscope-top --collector $SOCK; echo exit=\$?; sleep 30"
PANE=small
wait_for "node e2e"
keys '?'
wait_for "more below"
screen | grep -Eq "^  q +quit" && fail "the help's last line fits at 80x24: nothing to scroll"
keys PgDn PgDn
wait_for "^  q +quit"
screen | grep -q "more below" && fail "the end of the help still says there is more"
mouse 64 10 10
mouse 64 10 10
wait_for "more below"
keys q
wait_for "exit=0"
PANE=top

# Help, then quit: the process exits 0 and leaves the alternate screen.
keys '?'
wait_for "this help"
keys q
keys q
wait_for "exit=0"
alt=$(tmux -L "$TMUX_SOCKET" display -p -t top '#{alternate_on}')
[ "$alt" = "0" ] || fail "the terminal was left in the alternate screen"
echo "PASS"
