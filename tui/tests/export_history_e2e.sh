#!/usr/bin/env bash
# The flight recorder written out, as a user does it: --export-history FILE and W in a tmux
# pane; each file opens (--open) and shows, at an instant inside it, the same tree and actors
# as the live collector's own flight recorder at that instant. The collector keeps 6 s, so the
# files begin at a keyframe with actors in it, not at the start of the run. An unreachable
# collector: one line, exit 1.
# Usage: export_history_e2e.sh BIN_DIR
set -u
BIN=$1
NAME=export-e2e
source "$(dirname "$0")/tmux_lib.sh"
# One past frame without its banner, header sparklines and status line (the parts that name
# where it came from, or move with the clock).
frame() { "$BIN/actorscope-top" --batch --size 140x60 --expand all "$@" 2>>"$TMP/batch.err" | sed -n '3,$p' | head -n -1; }
# Compares a file with the live collector at an instant inside it, in two views.
same_as_live() {
  local file=$1 at=$2 view a b
  for view in tree actors; do
    a=$(frame --open "$file" --at "$at" --view "$view")
    b=$(frame --collector "$SOCK" --at "$at" --view "$view")
    echo "$a" | grep -Eq "(node )?export " || fail "$file at $at shows no node in $view: $a"
    [ "$a" = "$b" ] || fail "$file at $at differs from the collector's flight recorder in $view:
$(diff <(echo "$a") <(echo "$b"))"
  done
}

"$BIN/actorscope-collector" --listen "$SOCK" --metrics none --history-age 6 >"$TMP/collector.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do [ -S "$TMP/collector.sock" ] && break; sleep 0.05; done
"$BIN/actorscope-loadgen" --collector "$SOCK" --node export --actors 60 --rate 500 --duration 60 \
  --slow-consumer --slow-every 4 --slow-us 3000 --crash-rate 0.01 >"$TMP/loadgen.log" 2>&1 &
PIDS+=($!)
sleep 9  # past the 6 s the collector keeps: its oldest keyframe is no longer the empty start

# The command.
out=$("$BIN/actorscope-top" --collector "$SOCK" --export-history "$TMP/cli.rec" 2>&1) || fail "--export-history: $out"
AT=$(date -d '-2 sec' +%H:%M:%S)
echo "$out" | grep -Eq "the collector's history, [0-9:]{8} to [0-9:]{8} \(.*\), .*, written to $TMP/cli.rec" ||
  fail "no summary: $out"
[ -e "$TMP/cli.rec.part" ] && fail "the partial file was left behind"
same_as_live "$TMP/cli.rec" "$AT"

# The key, in the viewer.
tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s top -x 140 -y 30 \
  "env LANG=C.UTF-8 TERM=xterm-256color $BIN/actorscope-top --collector $SOCK --export-dir $TMP; echo exit=\$?; sleep 30"
wait_for "node export"
keys W
wait_for "history: [0-9:]{8} to [0-9:]{8} .* in .*actorscope-history-[0-9]{8}-[0-9]{6}\.rec"
AT=$(date -d '-2 sec' +%H:%M:%S)
keyed=$(ls "$TMP"/actorscope-history-*.rec)
same_as_live "$keyed" "$AT"
keys q
wait_for "exit=0"

# Nobody there: one line, exit 1, no file.
out=$(timeout 60 "$BIN/actorscope-top" --collector "unix:$TMP/nobody.sock" --export-history "$TMP/none.rec" 2>&1)
rc=$?
[ "$rc" = 1 ] || fail "an unreachable collector: exit $rc, not 1 ($out)"
[ "$(echo "$out" | wc -l)" = 1 ] || fail "an unreachable collector: not one line: $out"
[ -e "$TMP/none.rec" ] || [ -e "$TMP/none.rec.part" ] && fail "a file was left for an export that never began"
echo "PASS ($(du -h "$TMP/cli.rec" | cut -f1) by the flag, $(du -h "$keyed" | cut -f1) by the key)"
