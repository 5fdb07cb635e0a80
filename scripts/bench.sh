#!/usr/bin/env bash
# make bench: runs every benchmark binary and timed runs of the fuzz targets; results go to <build>/bench-results/
set -uo pipefail
BUILD=${1:-build}
BIN="$BUILD/bin"
OUT="$BUILD/bench-results"
mkdir -p "$OUT"
status=0
# The agent and CAF benchmarks run connected to a collector that takes message flow, as an
# app would be: flow is sampled only then (the agent's cost with its sampling on).
if [ -x "$BIN/actorscope-collector" ]; then
  sock="$OUT/bench-collector.sock"
  rm -f "$sock"
  "$BIN/actorscope-collector" --listen "unix:$sock" --metrics none >"$OUT/bench-collector.log" 2>&1 &
  bench_collector=$!
  trap 'kill $bench_collector 2>/dev/null' EXIT
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
  export ACTORSCOPE_COLLECTOR="unix:$sock" ACTORSCOPE_NODE=bench
fi
echo "bench: machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
for b in "$BIN"/actorscope-bench-* "$BIN"/actorscope_bench_*; do
  [ -x "$b" ] || continue
  name=$(basename "$b")
  echo "bench: $name"
  run=("$b")
  # The GUI renders through Mesa's software rasterizer on a virtual display.
  case "$name" in
    *gui*) run=(xvfb-run -a -s "-screen 0 1920x1200x24" env LIBGL_ALWAYS_SOFTWARE=1 "$b") ;;
    # One scheduler thread: an idle worker's polling would otherwise count as CPU time.
    *bench-caf) run=(env ACTORSCOPE_BENCH_WORKERS="${ACTORSCOPE_BENCH_WORKERS:-1}" "$b") ;;
  esac
  if ! "${run[@]}" --benchmark_out="$OUT/$name.json" --benchmark_out_format=json 2>&1 | tee "$OUT/$name.txt"; then
    echo "bench: $name failed" >&2
    status=1
  fi
done
# The fuzz targets for a fixed time each (`make test` runs them bounded); a finding fails the
# run. fuzz NAME SECONDS [FLAGS and SEED_DIRS...]: what it finds goes to the corpus in OUT
# (the first directory libFuzzer is given), never to the seeds.
fuzz() {
  local name=$1 seconds=$2
  shift 2
  local bin
  bin=$(find "$BUILD" -name "actorscope-fuzz-$name" -type f -perm -u+x | head -1)
  [ -n "$bin" ] || return 0
  echo "bench: fuzzing $name for $seconds s"
  mkdir -p "$OUT/fuzz-corpus-$name"
  "$bin" "$OUT/fuzz-corpus-$name" -max_total_time="$seconds" -artifact_prefix="$OUT/$name-" "$@" 2>&1 | tail -3 | tee "$OUT/fuzz-$name.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}
fuzz decoder 120 -max_len=65536 protocol/tests/golden
fuzz viewer 60 -max_len=65536 protocol/tests/golden
fuzz handshake 60 -max_len=65536 protocol/tests/golden
fuzz http-request 60 -max_len=2048
# The live model and its flight recorder under hostile record streams, the past checked
# against a model fed only up to an instant the input picks.
fuzz model "${MODEL_FUZZ_S:-300}" -len_control=0 -max_len=4096
# The screen-equals-model property test, for many more seeds than `make test` runs.
prop="$BIN/actorscope-property-tests"
if [ -x "$prop" ]; then
  echo "bench: screen-equals-model property test, ${PROPERTY_SEEDS:-200} seeds"
  ACTORSCOPE_PROPERTY_SEEDS=${PROPERTY_SEEDS:-200} "$prop" 2>&1 | tail -20 | tee "$OUT/property.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi
# The collector under siege: every hostile-peer attack at ten times the table's scale
# (loop latency, viewer delta gaps, scrape latency, memory), then a soak of SOAK_S seconds
# (default 600): loadgen with crashes and telemetry, viewers joining and leaving, a scrape
# every second; RSS slope after warm-up and counter drift.
if [ -x "$BIN/actorscope-collector" ] && [ -x "$BIN/actorscope-loadgen" ]; then
  echo "bench: collector siege at 10x"
  python3 scripts/siege.py "$BUILD" --scale 10 2>&1 | tee "$OUT/siege.txt" || status=1
  echo "bench: collector soak for ${SOAK_S:-600} s"
  python3 scripts/siege.py "$BUILD" --soak "${SOAK_S:-600}" 2>&1 | tee "$OUT/soak.txt" || status=1
fi
echo "bench: results in $OUT (see docs/PERFORMANCE.md for the budgets)"
exit $status
