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
fuzz=$(find "$BUILD" -name actorscope-fuzz-decoder -type f -perm -u+x | head -1)
if [ -n "$fuzz" ]; then
  echo "bench: fuzzing the protocol decoder for 120 s"
  mkdir -p "$OUT/fuzz-corpus"
  "$fuzz" -max_total_time=120 -max_len=65536 -artifact_prefix="$OUT/" "$OUT/fuzz-corpus" protocol/tests/golden 2>&1 | tail -5 | tee "$OUT/fuzz.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi
for target in viewer handshake; do
  f=$(find "$BUILD" -name "actorscope-fuzz-$target" -type f -perm -u+x | head -1)
  [ -n "$f" ] || continue
  echo "bench: fuzzing the $target decoder for 60 s"
  mkdir -p "$OUT/fuzz-corpus-$target"
  "$f" -max_total_time=60 -max_len=65536 -artifact_prefix="$OUT/$target-" "$OUT/fuzz-corpus-$target" protocol/tests/golden 2>&1 | tail -3 | tee "$OUT/fuzz-$target.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
# The live model and its flight recorder under hostile record streams, the past checked
# against a model fed only up to an instant the input picks. A finding fails the bench run.
f=$(find "$BUILD" -name actorscope-fuzz-model -type f -perm -u+x | head -1)
if [ -n "$f" ]; then
  echo "bench: fuzzing the model and its flight recorder for ${MODEL_FUZZ_S:-300} s"
  mkdir -p "$OUT/fuzz-corpus-model"
  "$f" -max_total_time="${MODEL_FUZZ_S:-300}" -len_control=0 -max_len=4096 -artifact_prefix="$OUT/model-" "$OUT/fuzz-corpus-model" 2>&1 | tail -3 | tee "$OUT/fuzz-model.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi
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
