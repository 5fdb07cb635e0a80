#!/usr/bin/env bash
# End to end: actorscope-top in a 100x30 tmux pane, watching loadgen through a collector.
# Usage: tmux_e2e.sh BIN_DIR
set -u
BIN=$1
NAME=top-e2e
source "$(dirname "$0")/tmux_lib.sh"

"$BIN/actorscope-collector" --listen "$SOCK" --metrics none >"$TMP/collector.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do [ -S "$TMP/collector.sock" ] && break; sleep 0.05; done
"$BIN/actorscope-loadgen" --collector "$SOCK" --node e2e --actors 120 --rate 2000 --duration 120 \
  --slow-consumer --slow-every 5 --slow-us 5000 --crash-rate 0.01 \
  --traffic 'ingest>parser:1000' --traffic 'parser>aggregator:400' --traffic 'aggregator>store:120' \
  >"$TMP/loadgen.log" 2>&1 &
PIDS+=($!)

tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s top -x 100 -y 30 \
  "env LANG=C.UTF-8 TERM=xterm-256color $BIN/actorscope-top --collector $SOCK; echo exit=\$?; sleep 30"

# Tree: the node and its supervisors with their strategies.
wait_for "node e2e"
wait_for "top .*one_for_one"
wait_for "sup-1\.1 .*(one_for_all|rest_for_one|simple_one_for_one)"

# Actors, sorted by mailbox (the default column): the slow consumer comes first.
keys 2
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

# Enter on the first row: its detail. The cursor follows the actor it is on as rows re-sort
# (selection by identity), so it is put on the first row first, as a user would.
keys g Enter
wait_for "slow-consumer  <[0-9]+>  on e2e"
wait_for "mailbox history"
wait_for "parents: "
keys Escape
wait_for "vMAILBOX"

# Events: a crash with its reason.
keys 3
wait_for "crashed +worker"

# Flow: the pipeline's types in the table; Enter on the ingest -> parser row shows that
# edge's rate history (the viewer's own record) under the table, Esc closes it. Rows move
# as the estimates do: the row is looked up again for each try.
keys 6
wait_for "estimated from sampled sends"
wait_for "ingest +parser"
wait_for "aggregator +store"
opened=no
for try in 1 2 3 4 5; do
  row=$(screen | awk '/^NODE/ {h = NR} h && NR > h && /ingest +parser/ {print NR - h - 1; exit}')
  [ -n "$row" ] || continue
  keys g
  for i in $(seq 1 "$row"); do keys j; done
  keys Enter
  for i in $(seq 1 30); do
    if screen | grep -Eq "ingest → parser on e2e: ~[0-9.]+k?/s now"; then opened=yes; break; fi
    sleep 0.1
  done
  [ "$opened" = yes ] && break
  keys Escape
done
[ "$opened" = yes ] || fail "Enter on the ingest -> parser row did not show its history"
wait_for "^~msg/s +[^ ]"
wait_for "since this viewer connected"
keys Escape
for i in $(seq 1 300); do screen | grep -q "since this viewer connected" || break; sleep 0.1; done
screen | grep -q "since this viewer connected" && fail "Esc did not close the edge's history"

# Flow by supervisor subtree: s with no actor chosen shows the flow within the node's root
# supervisor, as the collector answers it: loadgen's messages come from outside the tree
# into its child supervisors. Enter on a row goes into the child supervisor it reaches,
# u comes back up, Esc returns to the map by type.
keys s
wait_for "flow within top on e2e: [0-9]+ of [0-9]+ children sent or received"
wait_for "FROM +TO +~MSG/S +OTHERS' AT MOST +TO MAILBOX"
wait_for "sup-1\\.[1-4] +[0-9.]+k? "
keys g Enter
wait_for "flow within sup-1\\.[1-4] on e2e"
keys u
wait_for "flow within top on e2e"
keys Escape
wait_for "estimated from sampled sends \\(1 in"

# The same, printed once for a script: --batch --view flow --actor NAME.
batch=$("$BIN/actorscope-top" --collector "$SOCK" --batch --view flow --actor top --size 120x30 2>&1)
grep -Eq "flow within top on e2e: [0-9]+ of [0-9]+ children sent or received" <<<"$batch" || fail "batch flow: $batch"
grep -Eq "FROM +TO +~MSG/S +OTHERS' AT MOST +TO MAILBOX" <<<"$batch" || fail "batch flow without its table: $batch"

# Help, then quit: the process exits 0 and leaves the alternate screen.
keys '?'
wait_for "actorscope-top keys"
keys q
keys q
wait_for "exit=0"
alt=$(tmux -L "$TMUX_SOCKET" display -p -t top '#{alternate_on}')
[ "$alt" = "0" ] || fail "the terminal was left in the alternate screen"
echo "PASS"
