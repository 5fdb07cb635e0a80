#!/usr/bin/env bash
# The agent built without OpenSSL (-DACTORSCOPE_AGENT_TLS=OFF), really built: the smallest
# CMake project that consumes it (this tree's protocol/ and agent/, nothing else) is
# configured on a machine that has OpenSSL, its C example is linked, and the program must
# need neither libssl nor libcrypto, must report to a real collector, and must answer
# ACTORSCOPE_TLS_CA with one line and run on without the agent.
#
# usage: agent_notls_test.sh SOURCE_DIR COLLECTOR [CMAKE [CC [CXX]]]
set -euo pipefail
source_dir=$1 collector=$2 cmake=${3:-cmake} cc=${4:-cc} cxx=${5:-c++}
work=$(mktemp -d "${TMPDIR:-/tmp}/actorscope-notls-XXXXXX")
collector_pid=
cleanup() {
  if [ -n "$collector_pid" ]; then kill "$collector_pid" 2>/dev/null || true; wait "$collector_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "agent without TLS: $*" >&2; exit 1; }

# The project: the top level's warnings (errors here), the two components, nothing more.
mkdir "$work/project"
cat >"$work/project/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(actorscope_agent_notls VERSION 0.1.0 LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
add_compile_options(-Wall -Wextra -Wshadow -Werror)
set(ACTORSCOPE_STRICT_WARNINGS -Wconversion -Wsign-conversion)
include(GNUInstallDirs)
find_package(Threads REQUIRED)
add_subdirectory("$source_dir/protocol" protocol)
add_subdirectory("$source_dir/agent" agent)
CMAKE
"$cmake" -S "$work/project" -B "$work/build" -DACTORSCOPE_AGENT_TLS=OFF \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >"$work/configure.log" 2>&1 \
  || { cat "$work/configure.log" >&2; fail "configure failed"; }
grep -qx 'ACTORSCOPE_AGENT_TLS:BOOL=OFF' "$work/build/CMakeCache.txt" || fail "ACTORSCOPE_AGENT_TLS is not OFF in the cache"
# OpenSSL on the machine, so that leaving it out is the option's doing, not the machine's.
grep -q '^OPENSSL_SSL_LIBRARY:FILEPATH=/' "$work/build/CMakeCache.txt" \
  || echo "agent without TLS: note: OpenSSL is not installed here, the test proves less"
"$cmake" --build "$work/build" --target actorscope-agent-example-c actorscope_agent_shared -j2 >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; fail "build failed"; }

example=$(find "$work/build" -type f -name actorscope-agent-example-c -perm -u+x | head -1)
[ -n "$example" ] && [ -x "$example" ] || fail "the example was not linked"
shared=$(find "$work/build" -type f -name 'libactorscope-agent.so.*.*' | head -1)
archive=$(find "$work/build" -type f -name 'libactorscope-agent.a' | head -1)
[ -n "$shared" ] && [ -n "$archive" ] || fail "the agent libraries were not built"

# Neither the program nor the shared agent needs OpenSSL, directly or through another
# library, and the static agent refers to no OpenSSL symbol.
for bin in "$example" "$shared"; do
  grep -Eq 'NEEDED.*(libssl|libcrypto)' <<<"$(readelf -d "$bin")" && fail "$(basename "$bin") needs OpenSSL: $(readelf -d "$bin" | grep NEEDED)"
  grep -Eq 'libssl|libcrypto' <<<"$(ldd "$bin")" && fail "$(basename "$bin") loads OpenSSL: $(ldd "$bin")"
done
grep -Eq ' (SSL|TLS|OPENSSL|ERR|X509|EVP)_' <<<"$(nm -u "$archive" 2>/dev/null)" \
  && fail "the static agent refers to OpenSSL: $(nm -u "$archive" | grep -E ' (SSL|TLS|OPENSSL|ERR|X509|EVP)_' | head -3)"
echo "agent without TLS: built; $(basename "$example") needs $(readelf -d "$example" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')"

# A real collector, and the example reporting to it.
"$collector" --listen tcp:127.0.0.1:0 --metrics 127.0.0.1:0 >"$work/collector.log" 2>&1 &
collector_pid=$!
for _ in $(seq 1 300); do grep -q "metrics on" "$work/collector.log" && break; sleep 0.1; done
listen=$(sed -n 's/.*listening on \(tcp:[^ ]*\).*/\1/p' "$work/collector.log" | head -1)
port=$(sed -n 's#.*metrics on http://[^:]*:\([0-9]*\)/metrics.*#\1#p' "$work/collector.log" | head -1)
[ -n "$listen" ] && [ -n "$port" ] || { cat "$work/collector.log" >&2; fail "the collector did not start"; }

env -u ACTORSCOPE_TLS_CA -u ACTORSCOPE_TLS_CERT -u ACTORSCOPE_TLS_KEY -u ACTORSCOPE_TOKEN_FILE -u ACTORSCOPE_DISABLE \
  ACTORSCOPE_COLLECTOR="$listen" "$example" 0.5 >"$work/run.out" 2>"$work/run.err" \
  || { cat "$work/run.out" "$work/run.err" >&2; fail "the example failed"; }
grep -q "^actorscope: connected to $listen as example-c" "$work/run.err" || { cat "$work/run.err" >&2; fail "the agent did not connect"; }
grep -Eq 'stays off|without actorscope' "$work/run.err" && { cat "$work/run.err" >&2; fail "the agent stayed off with no TLS setting"; }
grep -Eq '^example-c: [1-9][0-9]* messages, [1-9][0-9]* restarts$' "$work/run.out" || { cat "$work/run.out" >&2; fail "the example did no work"; }
metric='actorscope_supervisor_restarts_total{node="example-c"'
# The page is read whole before it is searched (`curl | grep -q` fails under pipefail when
# grep stops at the match while curl is still writing).
for _ in $(seq 1 300); do page=$(curl -s "http://127.0.0.1:$port/metrics") && grep -qF "$metric" <<<"$page" && break; sleep 0.1; done
curl -s "http://127.0.0.1:$port/metrics" | grep "$metric" >"$work/seen" \
  || { cat "$work/collector.log" >&2; fail "the collector never showed the example's node"; }
echo "agent without TLS: the collector saw it: $(head -1 "$work/seen")"

# A TLS setting: the agent refuses it in one line, stays off (no plaintext fallback), and the
# program runs on.
echo "not read" >"$work/ca.pem"
env -u ACTORSCOPE_TLS_CERT -u ACTORSCOPE_TLS_KEY -u ACTORSCOPE_TOKEN_FILE -u ACTORSCOPE_DISABLE \
  ACTORSCOPE_COLLECTOR="$listen" ACTORSCOPE_TLS_CA="$work/ca.pem" "$example" 0.2 >"$work/tls.out" 2>"$work/tls.err" \
  || { cat "$work/tls.out" "$work/tls.err" >&2; fail "the example failed with ACTORSCOPE_TLS_CA set"; }
refusal='actorscope: ACTORSCOPE_TLS_CA is set, but this agent was built without TLS (rebuild it with OpenSSL and -DACTORSCOPE_AGENT_TLS=ON); the agent stays off, the app runs on'
agent_lines=$(grep -c '^actorscope:' "$work/tls.err" || true)
[ "$agent_lines" = 1 ] || { cat "$work/tls.err" >&2; fail "expected one line from the agent, got $agent_lines"; }
grep -qxF "$refusal" "$work/tls.err" || { cat "$work/tls.err" >&2; fail "the refusal is not the expected line"; }
grep -qxF 'example-c: running without actorscope' "$work/tls.err" || { cat "$work/tls.err" >&2; fail "actorscope_start did not fail"; }
grep -Eq '^example-c: [1-9][0-9]* messages' "$work/tls.out" || fail "the program did not run on without the agent"
echo "agent without TLS: ACTORSCOPE_TLS_CA refused: $(grep '^actorscope:' "$work/tls.err")"
