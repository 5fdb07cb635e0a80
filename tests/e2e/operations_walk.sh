#!/usr/bin/env bash
# docs/OPERATIONS.md walked as written: its blocks marked "<!-- walk: NAME -->" run in the
# order below on the .deb packages just built, from installing the package to a collector
# service with TLS that a real Prometheus scrapes and whose dashboard queries all answer.
#
# Stand-ins, since a test neither is root nor runs systemd: the absolute paths of the page
# (/etc/actorscope, /etc/prometheus, /usr/..., /run/actorscope) live under a scratch root;
# its ports (7411, 9464, 9090) are free ones; its collector host is 127.0.0.1; `sudo` runs
# the command as us, `chown` and `install -o` keep our owner; `apt install ./x.deb` unpacks
# the package (dpkg -x, no maintainer scripts); `systemctl` runs the unit file's own
# ExecStartPre and ExecStart lines (Prometheus: as Debian's unit would, on its config).
#
# usage: operations_walk.sh DEBS_DIR SOURCE_DIR WORK_DIR PYTHON
set -euo pipefail
debs=$1 source_dir=$2 work=$3 python=${4:-python3}
doc=$source_dir/docs/OPERATIONS.md
walk=$work/walk
root=$walk/root
state=$walk/state
mkdir -p "$walk/home" "$walk/bin" "$root" "$state"
fail() { echo "operations walk: $*" >&2; for f in "$state"/*.log; do [ -e "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done; exit 1; }
stop_all() {  # every service and app the walk started: their whole process groups
  for f in "$state"/*.pid; do
    [ -e "$f" ] || continue
    kill -TERM -- "-$(cat "$f")" 2>/dev/null || true
  done
  for f in "$state"/*.pid; do
    [ -e "$f" ] || continue
    for _ in $(seq 1 100); do kill -0 -- "-$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$(cat "$f")" 2>/dev/null || true
  done
}
trap stop_all EXIT

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
agent_port=$(free_port) metrics_port=$(free_port) prometheus_port=$(free_port)

# The page's machine, mapped onto the scratch one.
cat >"$walk/rewrite.sed" <<SED
s#/etc/actorscope#$root/etc/actorscope#g
s#/etc/prometheus#$root/etc/prometheus#g
s#/etc/default/#$root/etc/default/#g
s#/usr/share/doc/actorscope#$root/usr/share/doc/actorscope#g
s#/usr/bin/actorscope#$root/usr/bin/actorscope#g
s#/run/actorscope#$root/run/actorscope#g
s#:7411#:$agent_port#g
s#:9464#:$metrics_port#g
s#:9090#:$prometheus_port#g
s#tcp:0\.0\.0\.0:#tcp:127.0.0.1:#g
s#HOST=collector-1\.example\.net#HOST=127.0.0.1#
s#SAN=DNS:\$HOST#SAN=IP:\$HOST#
s#collector-1\.example\.net#127.0.0.1#g
SED

# Stand-ins for root's tools.
cat >"$walk/bin/sudo" <<'SH'
#!/bin/bash
if [ "${1:-}" = -u ]; then shift 2; fi
exec "$@"
SH
cat >"$walk/bin/chown" <<'SH'
#!/bin/bash
exit 0
SH
cat >"$walk/bin/install" <<'SH'
#!/bin/bash
args=()
while [ $# -gt 0 ]; do case $1 in -o|-g) shift 2 ;; *) args+=("$1"); shift ;; esac; done
exec /usr/bin/install "${args[@]}"
SH
cat >"$walk/bin/apt" <<'SH'
#!/bin/bash
set -e
[ "$1" = install ] || { echo "apt stand-in: only install" >&2; exit 1; }
shift
for p in "$@"; do
  case $p in
    *.deb) dpkg -x "$p" "$WALK_ROOT"
           # its configuration, mapped onto the scratch machine like the page's commands
           for f in etc/actorscope/collector.conf usr/share/doc/actorscope/prometheus.yml; do
             [ -e "$WALK_ROOT/$f" ] && sed -i -f "$WALK_SED" "$WALK_ROOT/$f"
           done ;;
    prometheus) command -v prometheus >/dev/null && command -v promtool >/dev/null \
                  || { echo "apt stand-in: prometheus is not installed (scripts/install-deps.sh)" >&2; exit 1; }
                mkdir -p "$WALK_ROOT/etc/prometheus" ;;
    *) echo "apt stand-in: $p?" >&2; exit 1 ;;
  esac
done
SH
cat >"$walk/bin/systemctl" <<'SH'
#!/bin/bash
# systemctl stand-in: a unit's commands as its file says, one process group per service.
set -euo pipefail
verb=$1; shift
[ "$verb" = enable ] && { [ "${1:-}" = --now ] || exit 0; shift; verb=restart; }
unit=${1%.service}
pidfile=$WALK_STATE/$unit.pid log=$WALK_STATE/$unit.log
running() { [ -e "$pidfile" ] && kill -0 -- "-$(cat "$pidfile")" 2>/dev/null; }
case $unit in
  actorscope-collector)
    file=$WALK_ROOT/usr/lib/systemd/system/actorscope-collector.service
    [ -e "$file" ] || { echo "Unit $unit.service not found." >&2; exit 5; }
    pre=$(sed -n 's/^ExecStartPre=//p' "$file" | sed -f "$WALK_SED")
    start=$(sed -n 's/^ExecStart=//p' "$file" | sed -f "$WALK_SED")
    envfile=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$file" | sed -f "$WALK_SED")
    rundir=$(sed -n 's/^RuntimeDirectory=//p' "$file")
    [ -z "$rundir" ] || mkdir -p "$WALK_ROOT/run/$rundir" ;;
  prometheus)
    pre=true envfile=
    start="prometheus --config.file=$WALK_ROOT/etc/prometheus/prometheus.yml --storage.tsdb.path=$WALK_STATE/prometheus-data --web.listen-address=127.0.0.1:$WALK_PROMETHEUS_PORT" ;;
  *) echo "Unit $unit.service not found." >&2; exit 5 ;;
esac
case $verb in
  status)
    running && { echo "● $unit.service: active (running), pid $(cat "$pidfile")"; exit 0; }
    echo "● $unit.service: inactive"; exit 3 ;;
  restart|start)
    if running; then
      kill -TERM -- "-$(cat "$pidfile")"
      for _ in $(seq 1 100); do running || break; sleep 0.1; done
      kill -KILL -- "-$(cat "$pidfile")" 2>/dev/null || true
    fi
    ACTORSCOPE_COLLECTOR_ARGS=
    if [ -n "$envfile" ] && [ -e "$envfile" ]; then . "$envfile"; fi
    # systemd's own expansion: $VAR unquoted splits into words
    read -ra pre_argv <<<"${pre//\$ACTORSCOPE_COLLECTOR_ARGS/$ACTORSCOPE_COLLECTOR_ARGS}"
    read -ra start_argv <<<"${start//\$ACTORSCOPE_COLLECTOR_ARGS/$ACTORSCOPE_COLLECTOR_ARGS}"
    "${pre_argv[@]}" >>"$log" 2>&1 || { echo "$unit.service: ExecStartPre failed" >&2; tail -3 "$log" >&2; exit 1; }
    setsid "${start_argv[@]}" >>"$log" 2>&1 </dev/null &
    echo $! >"$pidfile" ;;
  *) echo "systemctl stand-in: $verb?" >&2; exit 1 ;;
esac
SH
chmod +x "$walk/bin/"*
export WALK_ROOT=$root WALK_STATE=$state WALK_SED=$walk/rewrite.sed WALK_PROMETHEUS_PORT=$prometheus_port

# The directory the page's commands start from: the repository's, with section 1's build/.
mkdir "$walk/cwd"
ln -s "$debs" "$walk/cwd/build"
ln -s "$source_dir/deploy" "$walk/cwd/deploy"
dirs="$(dirname "$(command -v prometheus)"):$(dirname "$(command -v promtool)")"
path="$walk/bin:$root/usr/bin:$dirs:$PATH"

block() {  # the fenced block after "<!-- walk: NAME -->", rewritten for the scratch machine
  local text
  text=$(awk -v name="$1" '$0 == "<!-- walk: " name " -->" {on = 1; next}
                           on == 1 && /^```/ {on = 2; next}
                           on == 2 && /^```$/ {exit}
                           on == 2 {print}' "$doc")
  [ -n "$text" ] || fail "no block marked '$1' in docs/OPERATIONS.md"
  printf '%s\n' "$text" | sed -f "$walk/rewrite.sed"
}
run() {  # runs a block in the page's shell: stops at the first command that fails
  echo "operations walk: $1"
  block "$1" >"$walk/$1.sh"
  (cd "$walk/cwd" && env -u ACTORSCOPE_COLLECTOR -u ACTORSCOPE_TOKEN_FILE HOME="$walk/home" PATH="$path" \
     bash -euo pipefail "$walk/$1.sh") >"$walk/$1.out" 2>&1 || { cat "$walk/$1.out" >&2; fail "block '$1' failed"; }
  sed 's/^/    /' "$walk/$1.out"
}
wait_log() {  # file, pattern: polls, with a deadline, until the service has logged it
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "$(basename "$1") never said '$2'"
}

# Section 2: the package installed, the service started, a token required.
run install
wait_log "$state/actorscope-collector.log" "metrics on http://127.0.0.1:$metrics_port/metrics"
run token
grep -qx "token-file = $root/etc/actorscope/token" "$root/etc/actorscope/collector.conf" || fail "the token is not in the configuration"
# Section 4: Prometheus with the shipped configuration and alert rules.
run prometheus
# Section 7: certificates, the service on TLS (mutual), an app whose agent uses them.
run certs
: >"$state/actorscope-collector.log"
run tls-collector
wait_log "$state/actorscope-collector.log" "client certificates required"
# The app: loadgen from the package (an agent built with TLS) running the dashboard test's
# workload, as the service "orders".
cat >"$walk/cwd/orders-service" <<SH
#!/bin/sh
exec "$root/usr/bin/actorscope-loadgen" --node orders --actors 200 --rate 2000 --crash-rate 0.01 --slow-consumer \\
  --telemetry-rate 0.05 --intensity 100000 --duration 600 --stay 0 --flush-ms 100
SH
chmod +x "$walk/cwd/orders-service"
echo "operations walk: tls-agent"
block tls-agent >"$walk/tls-agent.sh"
(cd "$walk/cwd" && exec setsid env -u ACTORSCOPE_COLLECTOR -u ACTORSCOPE_TOKEN_FILE HOME="$walk/home" PATH="$path" \
   bash -euo pipefail "$walk/tls-agent.sh") >"$state/orders.log" 2>&1 </dev/null &
echo $! >"$state/orders.pid"
wait_log "$state/orders.log" "actorscope: connected to tcp:127.0.0.1:$agent_port as orders"
sed 's/^/    /' "$state/orders.log"
# Section 5: Prometheus answers for the node, then every panel of the dashboard does.
block query >"$walk/query.sh"
for _ in $(seq 1 600); do
  (cd "$walk/cwd" && PATH="$path" bash -euo pipefail "$walk/query.sh") >"$walk/query.out" 2>&1 || true
  grep -q '"node":"orders"' "$walk/query.out" && break
  sleep 0.1
done
grep -q '"node":"orders"' "$walk/query.out" || { cat "$walk/query.out" >&2; fail "Prometheus never answered for the node orders"; }
echo "operations walk: query"
sed 's/^/    /' "$walk/query.out"; echo
"$python" "$source_dir/tests/e2e/dashboard_test.py" --prometheus "$root/usr/share/doc/actorscope/actorscope.json" \
  "$prometheus_port" orders 1m || fail "the dashboard's queries did not all answer"
echo "operations walk: from the package to a TLS service that Prometheus scrapes, every dashboard query answering"
