#!/usr/bin/env bash
# make demo: a live instrumented app, the collector, and a viewer; Ctrl-C or quitting the
# viewer stops everything this script started.
set -euo pipefail
BUILD=${1:-build}
VIEWER=${2:-top}
BIN="$BUILD/bin"
PORT=${ACTORSCOPE_DEMO_PORT:-7411}
METRICS=${ACTORSCOPE_DEMO_METRICS:-127.0.0.1:9464}
RUN=$(mktemp -d "${TMPDIR:-/tmp}/actorscope-demo.XXXXXX")
pids=()

cleanup() {
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "demo: stopped; logs were in $RUN"
  # The whole run, for a post-mortem in the same viewers (its past included).
  [ -s "$RUN/demo.rec" ] && echo "demo: the run is recorded: $BIN/actorscope-top --open $RUN/demo.rec (or actorscope-gui --open)"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need() { [ -x "$BIN/$1" ] || { echo "demo: $BIN/$1 is missing; run 'make build' first" >&2; exit 1; }; }
need actorscope-collector

"$BIN/actorscope-collector" --listen "tcp:127.0.0.1:$PORT" --metrics "$METRICS" --record "$RUN/demo.rec" >"$RUN/collector.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  grep -q "listening on" "$RUN/collector.log" 2>/dev/null && break
  sleep 0.1
done
if ! grep -q "listening on" "$RUN/collector.log"; then
  echo "demo: the collector did not start:" >&2; cat "$RUN/collector.log" >&2; exit 1
fi

export ACTORSCOPE_COLLECTOR="tcp:127.0.0.1:$PORT"
if [ -x "$BIN/actorscope-demo" ]; then
  ACTORSCOPE_NODE=demo "$BIN/actorscope-demo" --quiet >"$RUN/app.log" 2>&1 &
  app="actorscope-demo (CAF)"
else
  need actorscope-loadgen
  ACTORSCOPE_NODE=loadgen "$BIN/actorscope-loadgen" --actors 2000 --rate 20000 --crash-rate 0.0005 \
    --slow-consumer --telemetry-rate 50 --duration 0 >"$RUN/app.log" 2>&1 &
  app="actorscope-loadgen (synthetic)"
fi
pids+=($!)

echo "demo: $app -> collector tcp:127.0.0.1:$PORT; Prometheus metrics at http://$METRICS/metrics"

# make demo BEAM=1: an Elixir shop (beam/demo/shop.exs) beside it, attached by actorscope-beam.
if [ "${BEAM:-0}" = 1 ]; then
  need actorscope-beam
  command -v elixir >/dev/null || { echo "demo: elixir is missing; run 'make deps'" >&2; exit 1; }
  epmd -daemon
  # The shop's cookie lives in the demo's own HOME: nothing secret on a command line.
  head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$RUN/.erlang.cookie"
  chmod 400 "$RUN/.erlang.cookie"
  shop="actorscope_shop_$$"
  HOME="$RUN" SHOP_CHAOS=1 SHOP_ORDERS=300 elixir --sname "$shop" --no-halt "$(dirname "$0")/../beam/demo/shop.exs" \
    >"$RUN/shop.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    grep -q "shop running" "$RUN/shop.log" 2>/dev/null && break
    sleep 0.1
  done
  grep -q "shop running" "$RUN/shop.log" || { echo "demo: the Elixir shop did not start:" >&2; cat "$RUN/shop.log" >&2; exit 1; }
  node="$shop@$(hostname -s)"
  "$BIN/actorscope-beam" --node "$node" --cookie-file "$RUN/.erlang.cookie" >"$RUN/beam.log" 2>&1 &
  pids+=($!)
  echo "demo: Elixir node $node (beam/demo/shop.exs) -> actorscope-beam -> collector"
fi

if [ "$VIEWER" = gui ] && [ -x "$BIN/actorscope-gui" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  "$BIN/actorscope-gui" --collector "tcp:127.0.0.1:$PORT"
elif [ -x "$BIN/actorscope-top" ] && [ -t 1 ] && [ -t 0 ]; then
  [ "$VIEWER" = gui ] && echo "demo: no display or no GUI build; using the terminal viewer" && sleep 2
  "$BIN/actorscope-top" --collector "tcp:127.0.0.1:$PORT"
else
  # No viewer or no terminal: a live summary from /metrics until Ctrl-C.
  echo "demo: live summary (Ctrl-C stops)"
  while kill -0 "${pids[1]}" 2>/dev/null; do
    sleep 2
    curl -s "http://$METRICS/metrics" | awk '
      /^actorscope_actors[{ ]/ {a+=$NF}
      /^actorscope_supervisor_restarts_total/ {r+=$NF}
      /^actorscope_messages_processed_total/ {m+=$NF}
      /^actorscope_mailbox_max_messages/ {if ($NF>mx) mx=$NF}
      END {printf "demo: actors=%d restarts=%d messages=%d max_mailbox=%d\n", a, r, m, mx}'
  done
fi
