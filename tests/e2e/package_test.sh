#!/usr/bin/env bash
# The .deb packages as an operator gets them: built by CPack, unpacked into a scratch root
# (dpkg -x), the unit verified by systemd-analyze, and the installed collector and an
# agent program built against the installed dev package run against each other.
set -euo pipefail
build_dir=$1 source_dir=$2 python=${3:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/actorscope-package-XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "package test: $*" >&2; exit 1; }

(cd "$build_dir" && cpack -G DEB -B "$work/debs" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack failed"; }
app=$(ls "$work"/debs/actorscope_*.deb 2>/dev/null | head -1)
dev=$(ls "$work"/debs/libactorscope-agent-dev_*.deb 2>/dev/null | head -1)
[ -n "$app" ] || fail "no actorscope .deb in $(ls "$work/debs")"
[ -n "$dev" ] || fail "no libactorscope-agent-dev .deb in $(ls "$work/debs")"
grep -q libprometheus-cpp <<<"$(dpkg-deb -f "$app" Depends)" || fail "actorscope does not depend on prometheus-cpp's runtime (shlibdeps)"
root=$work/root
dpkg -x "$app" "$root"
dpkg -x "$dev" "$root"

for f in usr/bin/actorscope-collector usr/bin/actorscope-top usr/bin/actorscope-loadgen \
         usr/lib/systemd/system/actorscope-collector.service usr/lib/sysusers.d/actorscope.conf \
         usr/share/doc/actorscope/actorscope-collector.default usr/share/man/man1/actorscope-collector.1.gz \
         usr/share/doc/actorscope/actorscope-alerts.yml usr/share/doc/actorscope/actorscope.json \
         usr/share/doc/actorscope/actorscope-beam.json \
         usr/include/actorscope/agent.h usr/include/actorscope/agent.hpp etc/actorscope/collector.conf; do
  [ -e "$root/$f" ] || fail "$f is not in the packages"
done
libdir=$(dirname "$(find "$root" -name actorscope-agent.pc)")/..
[ -e "$libdir/libactorscope-agent.a" ] || fail "no static agent library"
so=$(find "$root" -name 'libactorscope-agent.so.*.*' | head -1)
[ -n "$so" ] || fail "no shared agent library"
grep -q 'SONAME.*libactorscope-agent\.so\.[0-9]' <<<"$(readelf -d "$so")" || fail "no SONAME on the shared agent"
[ -n "$(find "$root" -name actorscopeConfig.cmake)" ] || fail "no CMake package"
dpkg-deb -I "$app" postinst >/dev/null || fail "no postinst (service user) in actorscope"
grep -qx /etc/actorscope/collector.conf <<<"$(dpkg-deb -I "$app" conffiles)" || fail "collector.conf is not a conffile"
# The shipped configuration passes the installed collector's own check.
"$root/usr/bin/actorscope-collector" --config "$root/etc/actorscope/collector.conf" --check-config >"$work/check.log" 2>&1 \
  || { cat "$work/check.log" >&2; fail "the shipped collector.conf does not pass --check-config"; }

# The unit, as systemd reads it, pointing at the packaged binary and man page (systemd-analyze
# checks that ExecStart exists and that the man page opens).
if command -v systemd-analyze >/dev/null; then
  sed "s#/usr/bin/actorscope-collector#$root/usr/bin/actorscope-collector#" \
    "$root/usr/lib/systemd/system/actorscope-collector.service" >"$work/actorscope-collector.service"
  MANPATH="$root/usr/share/man" systemd-analyze verify "$work/actorscope-collector.service" >"$work/verify.log" 2>&1 \
    || { cat "$work/verify.log" >&2; fail "systemd-analyze verify failed"; }
  if grep -q . "$work/verify.log"; then cat "$work/verify.log" >&2; fail "systemd-analyze verify printed warnings"; fi
fi

# The installed collector and a program built against the installed agent, together.
"$root/usr/bin/actorscope-collector" --listen "unix:$work/c.sock" --metrics 127.0.0.1:0 >"$work/collector.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do grep -q "metrics on" "$work/collector.log" && break; sleep 0.1; done
port=$(sed -n 's#.*metrics on http://[^:]*:\([0-9]*\)/metrics#\1#p' "$work/collector.log")
[ -n "$port" ] || { cat "$work/collector.log" >&2; fail "the installed collector did not start"; }
export PKG_CONFIG_PATH=$(dirname "$(find "$root" -name actorscope-agent.pc)")
cp "$source_dir/agent/examples/example.c" "$work/"
cc -std=c99 -Wall -Wextra "$work/example.c" $(pkg-config --cflags --libs actorscope-agent) -o "$work/example-c"
ACTORSCOPE_COLLECTOR="unix:$work/c.sock" LD_LIBRARY_PATH="$(pkg-config --variable=libdir actorscope-agent)" \
  "$work/example-c" 1 >"$work/example.log" 2>&1 || { cat "$work/example.log" >&2; fail "the example failed"; }
# The page is read whole before it is searched: `curl | grep -q` under pipefail fails when grep
# stops at the match while curl is still writing a page larger than the pipe.
shows_example() { local page; page=$(curl -s "http://127.0.0.1:$port/metrics") && grep -qF 'actorscope_supervisor_restarts_total{node="example-c"' <<<"$page"; }
for _ in $(seq 1 300); do shows_example && break; sleep 0.1; done
shows_example || { cat "$work/collector.log" "$work/example.log" >&2; fail "the installed collector never showed the example's node"; }
echo "package test: $(basename "$app") and $(basename "$dev") install and run together"

# docs/OPERATIONS.md walked on these packages: installed, started as the unit says, a token,
# Prometheus with the shipped configuration, TLS, an app, every dashboard query answering.
kill "${pids[@]}" 2>/dev/null || true
bash "$source_dir/tests/e2e/operations_walk.sh" "$work/debs" "$source_dir" "$work" "$python" || fail "the walk of docs/OPERATIONS.md failed"
