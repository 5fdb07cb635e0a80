#!/usr/bin/env bash
# The past in actorscope-top: t and an instant in a tmux pane, --at in batch mode, and the
# same instant from the recording (--open) all show the same picture — a past instant
# stands still, so the three must agree to the message.
# Usage: tmux_past_e2e.sh BIN_DIR
set -u
BIN=$1
NAME=past-e2e
source "$(dirname "$0")/tmux_lib.sh"
# The slow consumer's mailbox in a batch frame of Actors (empty when it is not there).
slow_mailbox() { awk '/slow-consumer +slow-consumer/ {print $4; exit}'; }
batch() { "$BIN/actorscope-top" --batch --view actors --size 120x12 "$@" 2>>"$TMP/batch.err"; }

"$BIN/actorscope-collector" --listen "$SOCK" --metrics none --record "$TMP/run.rec" >"$TMP/collector.log" 2>&1 &
COLLECTOR=$!
PIDS+=($COLLECTOR)
for i in $(seq 1 100); do [ -S "$TMP/collector.sock" ] && break; sleep 0.05; done
"$BIN/actorscope-loadgen" --collector "$SOCK" --node past --actors 100 --rate 1000 --duration 60 \
  --slow-consumer --slow-every 4 --slow-us 5000 --crash-rate 0.005 >"$TMP/loadgen.log" 2>&1 &
PIDS+=($!)

# A backlog that grows: wait until it is there, take the instant, then until it has moved on.
for i in $(seq 1 300); do
  before=$(batch --collector "$SOCK" | slow_mailbox)
  [ -n "$before" ] && [ "$before" != "0" ] && break
  sleep 0.1
done
[ -n "$before" ] && [ "$before" != "0" ] || fail "the slow consumer never had a backlog"
T1=$(date +%H:%M:%S.%3N)
for i in $(seq 1 300); do
  now=$(batch --collector "$SOCK" | slow_mailbox)
  [ -n "$now" ] && [ "$now" != "$before" ] && break
  sleep 0.1
done

# The past in batch mode: the banner and the backlog of that instant, the same when asked again.
frame=$(batch --collector "$SOCK" --at "$T1")
echo "$frame" | grep -q "PAST ${T1}" || fail "no PAST banner for $T1 in: $frame"
past=$(echo "$frame" | slow_mailbox)
[ -n "$past" ] || fail "the slow consumer is not in the past frame: $frame"
again=$(batch --collector "$SOCK" --at "$T1" | slow_mailbox)
[ "$again" = "$past" ] || fail "the same instant shown twice differs: $past then $again"
live=$(batch --collector "$SOCK" | slow_mailbox)
[ "$live" != "$past" ] || fail "the live backlog ($live) still equals the past one: nothing to tell apart"

# Interactive: t, the instant, Enter: the same picture under the banner; t now: live again.
tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s top -x 120 -y 30 \
  "env LANG=C.UTF-8 TERM=xterm-256color $BIN/actorscope-top --collector $SOCK; echo exit=\$?; sleep 30"
wait_for "node past"
keys 2
wait_for "vMAILBOX"
keys t
wait_for "time \\("
keys "$T1" Enter
wait_for "PAST ${T1}"
wait_for "slow-consumer +slow-consumer +${past} "
keys t
keys now Enter
for i in $(seq 1 300); do screen | grep -q "PAST " || break; sleep 0.1; done
screen | grep -q "PAST " && fail "t now did not return to live"
# [ steps back from live: a banner again.
keys '['
wait_for "PAST [0-9]{2}:[0-9]{2}:[0-9]{2}"
keys q
wait_for "exit=0"

# The recording, opened after the collector ended: the same instant, the same backlog.
kill -TERM "$COLLECTOR"
wait "$COLLECTOR"
opened=$("$BIN/actorscope-top" --open "$TMP/run.rec" --at "$T1" --batch --view actors --size 120x12 2>>"$TMP/batch.err")
echo "$opened" | grep -q "REPLAY .*PAST ${T1}" || fail "no REPLAY and PAST banner from the recording: $opened"
from_file=$(echo "$opened" | slow_mailbox)
[ "$from_file" = "$past" ] || fail "the recording at $T1 shows $from_file, the flight recorder showed $past"
echo "PASS (slow consumer at $T1: $past messages; live later: $live)"
