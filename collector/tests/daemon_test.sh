#!/usr/bin/env bash
# Drives the real actorscope-collector: starts on free ports, prints its addresses,
# serves /metrics that promtool accepts, and exits 0 on SIGTERM.
set -u
bin="$1"
dir=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$dir/out"; echo "--- stderr"; cat "$dir/err"; exit 1; }

"$bin" --listen tcp:127.0.0.1:0 --listen "unix:$dir/c.sock" --metrics 127.0.0.1:0 >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 300); do
  grep -q "metrics on http://" "$dir/out" && break
  kill -0 "$pid" 2>/dev/null || fail "collector exited early"
  sleep 0.1
done
grep -qE "^actorscope-collector: listening on tcp:127\.0\.0\.1:[1-9][0-9]*$" "$dir/out" || fail "no tcp listening line with a real port"
grep -q "^actorscope-collector: listening on unix:$dir/c.sock$" "$dir/out" || fail "no unix listening line"
url=$(sed -n 's/^actorscope-collector: metrics on \(http:.*\)$/\1/p' "$dir/out")
[[ "$url" =~ :[1-9][0-9]*/metrics$ ]] || fail "metrics url without a real port: $url"
curl -sf "$url" >"$dir/metrics" || fail "scrape of $url failed"
grep -q '^actorscope_collector_connections{role="agent"} 0$' "$dir/metrics" || fail "no connection gauge in /metrics"
if command -v promtool >/dev/null; then
  grep -v '^exposer_' "$dir/metrics" | grep -v '^# .* exposer_' | promtool check metrics >"$dir/warning" 2>&1 || fail "promtool: $(cat "$dir/warning")"
fi
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
[ "$rc" -eq 0 ] || fail "exit code $rc after SIGTERM"
[ ! -e "$dir/c.sock" ] || fail "unix socket file left behind"
echo "ok"
