# What the tmux end-to-end scripts share, sourced after they set BIN and NAME: a private
# directory ($TMP) with the collector's socket ($SOCK), a tmux server of their own, the
# processes they start (PIDS, ended on exit), and the screen of the pane named "top".
TMP=$(mktemp -d "/tmp/actorscope-$NAME.XXXXXX")
SOCK="unix:$TMP/collector.sock"
TMUX_SOCKET="actorscope-$NAME-$$"
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
screen() { tmux -L "$TMUX_SOCKET" capture-pane -p -t top; }
# Polls until the screen matches an extended regex (30 s at most).
wait_for() {
  local what=$1 i
  for i in $(seq 1 300); do
    if screen | grep -Eq -- "$what"; then return 0; fi
    sleep 0.1
  done
  fail "screen never showed /$what/"
}
keys() { tmux -L "$TMUX_SOCKET" send-keys -t top "$@"; }
