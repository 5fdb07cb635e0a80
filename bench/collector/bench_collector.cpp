// Collector budgets: ingest >= 20 M events/s on one core in random order with the flight
// recorder on (which may cost <= 10 %), <= 256 B per live actor, /metrics rendered in <= 50 ms
// at 1 M live actors, and a past instant of a 1-hour history rebuilt in <= 100 ms.
#include <benchmark/benchmark.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cstring>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>
#include <map>
#include <mutex>
#include <random>

#include "actorscope/collector/exporter.hpp"
#include "actorscope/collector/history.hpp"
#include "actorscope/collector/history_export.hpp"
#include "actorscope/collector/model.hpp"
#include "actorscope/collector/record.hpp"
#include "synthetic_stream.hpp"

using namespace actorscope;
using namespace actorscope::collector;

namespace {

const bench::SyntheticStream& stream_100k() {
  static const bench::SyntheticStream s = bench::make_stream({});
  return s;
}

const bench::SyntheticStream& stream_100k_shuffled() {
  static const bench::SyntheticStream s = [] {
    bench::StreamShape shape;
    shape.shuffled_stats = true;
    return bench::make_stream(shape);
  }();
  return s;
}

ModelSettings bench_settings() {
  ModelSettings s;
  return s;
}

// The timed parts' wall time. An ingest's rate is by the wall clock: the time its thread
// waits (for the recorder's compressor, past its backlog) is throughput lost, which a rate
// counter of Google Benchmark (divided by the thread's CPU time) would leave out.
struct WallSeconds {
  std::chrono::steady_clock::time_point began;
  double seconds = 0;
  void start() { began = std::chrono::steady_clock::now(); }
  void stop() { seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count(); }
  double rate(uint64_t n) const { return seconds > 0 ? static_cast<double>(n) / seconds : 0.0; }
};

// Decodes and applies a stream into a fresh model per iteration (with the flight recorder
// at its default settings when `history`, as the collector runs).
void ingest(benchmark::State& state, const bench::SyntheticStream& s, bool history = false) {
  uint64_t records = 0;
  WallSeconds wall;
  for (auto _ : state) {
    state.PauseTiming();
    auto model = std::make_unique<Model>(bench_settings());
    auto recorder = std::make_unique<History>();
    if (history) model->set_history(recorder.get());
    NodeKey n = model->on_hello(1, s.hello);
    state.ResumeTiming();
    wall.start();
    for (const auto& b : s.batches) {
      auto r = model->apply_batch(n, b.data(), b.size());
      records += r.records;
    }
    benchmark::DoNotOptimize(model->version());
    wall.stop();
    state.PauseTiming();
    if (history) {
      const HistoryStats hs = recorder->stats();
      state.counters["history_keyframes"] = static_cast<double>(hs.keyframes_taken);
      state.counters["history_bytes_per_event"] = static_cast<double>(hs.recorded_bytes) / static_cast<double>(s.records);
    }
    model.reset();
    recorder.reset();
    state.ResumeTiming();
  }
  state.counters["events/s"] = wall.rate(records);
  state.counters["events/batch_run"] = static_cast<double>(s.records);
}

// A long stream of the same 100k actors (160 stats rounds in random order, restarts and
// telemetry spread over them; about 16 M records).
const bench::SyntheticStream& stream_100k_long() {
  static const bench::SyntheticStream s = [] {
    bench::StreamShape shape;
    shape.shuffled_stats = true;
    shape.stats_rounds = 160;
    shape.restarts = 160'000;
    shape.telemetry = 800'000;
    return bench::make_stream(shape);
  }();
  return s;
}

// The steady state: the spawns and the first ten rounds applied untimed (with the recorder,
// it attached before them, as a collector's is), then the other 150 rounds timed, the model's
// clock 1 ms further at each batch. With the recorder on, keyframes of the whole model come
// due by bytes within the timed part (three times the model's tables of stream held), are
// copied on the ingest thread and packed on the recorder's; the counters say how many.
void ingest_steady(benchmark::State& state, bool history) {
  const bench::SyntheticStream& s = stream_100k_long();
  const size_t split = s.batches.size() * 11 / 161;
  uint64_t records = 0, timed_records = 0;
  WallSeconds wall;
  for (auto _ : state) {
    state.PauseTiming();
    auto model = std::make_unique<Model>(bench_settings());
    auto recorder = std::make_unique<History>();
    uint64_t now = 1'000'000'000;
    model->set_now(now);
    NodeKey n = model->on_hello(1, s.hello);
    if (history) model->set_history(recorder.get());
    for (size_t b = 0; b < split; ++b) {
      model->set_now(now += 1'000'000);
      model->apply_batch(n, s.batches[b].data(), s.batches[b].size());
    }
    const HistoryStats before = recorder->stats();
    state.ResumeTiming();
    wall.start();
    timed_records = 0;
    for (size_t b = split; b < s.batches.size(); ++b) {
      model->set_now(now += 1'000'000);
      timed_records += model->apply_batch(n, s.batches[b].data(), s.batches[b].size()).records;
    }
    benchmark::DoNotOptimize(model->version());
    wall.stop();
    state.PauseTiming();
    records += timed_records;
    if (history) {
      const HistoryStats hs = recorder->stats();
      state.counters["history_keyframes"] = static_cast<double>(hs.keyframes_taken - before.keyframes_taken);
      state.counters["history_held_MiB"] = static_cast<double>(hs.bytes) / (1 << 20);
      state.counters["history_held_bytes_per_event"] =
          static_cast<double>(hs.stream_bytes - before.stream_bytes) / static_cast<double>(timed_records);
      state.counters["history_compressor_behind"] = static_cast<double>(hs.compressor_behind - before.compressor_behind);
      state.counters["history_chunks"] = static_cast<double>(hs.stream_raw_bytes - before.stream_raw_bytes) / (1 << 20);
      state.counters["history_stream_level"] = hs.stream_level;
      state.counters["history_compressor_stalls"] = static_cast<double>(hs.compressor_stalls - before.compressor_stalls);
    }
    model.reset();
    recorder.reset();
    state.ResumeTiming();
  }
  state.counters["events/s"] = wall.rate(records);
  state.counters["events/iteration"] = static_cast<double>(timed_records);
}
void BM_IngestSteadyRandomOrder(benchmark::State& state) { ingest_steady(state, false); }
BENCHMARK(BM_IngestSteadyRandomOrder)->Unit(benchmark::kMillisecond)->Iterations(1);
void BM_IngestSteadyRandomOrderWithHistory(benchmark::State& state) { ingest_steady(state, true); }
BENCHMARK(BM_IngestSteadyRandomOrderWithHistory)->Unit(benchmark::kMillisecond)->Iterations(1);

// A recorded-like stream of 100k actors (spawns, 10 stats rounds, restarts, telemetry),
// stats in spawn order (one flusher walking its cell table).
void BM_Ingest(benchmark::State& state) { ingest(state, stream_100k()); }
BENCHMARK(BM_Ingest)->Unit(benchmark::kMillisecond);

// The same, with each stats round in a random order: the actor lookup cannot guess.
void BM_IngestRandomOrder(benchmark::State& state) { ingest(state, stream_100k_shuffled()); }
BENCHMARK(BM_IngestRandomOrder)->Unit(benchmark::kMillisecond);

// The same two with the flight recorder on (its budget: <= 10 % of ingest throughput).
void BM_IngestWithHistory(benchmark::State& state) { ingest(state, stream_100k(), true); }
BENCHMARK(BM_IngestWithHistory)->Unit(benchmark::kMillisecond);
void BM_IngestRandomOrderWithHistory(benchmark::State& state) { ingest(state, stream_100k_shuffled(), true); }
BENCHMARK(BM_IngestRandomOrderWithHistory)->Unit(benchmark::kMillisecond);

// An hour of 100 000 actors: every actor's stats once a minute, a crash and its restart
// every second, a tick every second, recorded at the default settings. Then the past: the
// model at a random instant of the hour, rebuilt (budget: <= 100 ms to the first frame).
struct HourOfHistory {
  std::unique_ptr<Model> model = std::make_unique<Model>(bench_settings());
  History history;
  uint64_t start = 0, end = 0;
  static HistorySettings with_pieces(uint64_t chunk_bytes) {
    HistorySettings hs;
    if (chunk_bytes) hs.chunk_bytes = chunk_bytes;
    return hs;
  }
  explicit HourOfHistory(uint64_t stats_rounds, uint64_t chunk_bytes = 0) : history(with_pieces(chunk_bytes)) {
    bench::StreamShape shape;
    shape.stats_rounds = stats_rounds;
    shape.restarts = 3600;
    shape.telemetry = 0;
    const bench::SyntheticStream s = bench::make_stream(shape);
    model->set_history(&history);
    start = 1'000'000'000;
    model->set_now(start);
    NodeKey n = model->on_hello(1, s.hello);
    model->commit();
    const uint64_t hour = 3600ull * 1'000'000'000;
    uint64_t next_tick = start;
    for (size_t i = 0; i < s.batches.size(); ++i) {
      const uint64_t at = start + hour * i / s.batches.size();
      for (; next_tick <= at; next_tick += 1'000'000'000) model->tick(next_tick);
      model->set_now(at);
      model->apply_batch(n, s.batches[i].data(), s.batches[i].size());
    }
    end = start + hour;
    for (; next_tick <= end; next_tick += 1'000'000'000) model->tick(next_tick);
  }
};

// range(0): stats rounds in the hour. 1: the actors report once (at the start) and are idle
// after; 60: every actor reports once a minute, each with messages waiting (so that every
// one is watched, and warned of as stuck, at every one-second step of the model).
// range(1): the recorder's stream pieces in KiB (HistorySettings::chunk_bytes; 0: the default).
void BM_SeekPastInstant_100kActors1h(benchmark::State& state) {
  static std::map<std::pair<int64_t, int64_t>, std::unique_ptr<HourOfHistory>> hours;
  auto& slot = hours[{state.range(0), state.range(1)}];
  if (!slot)
    slot = std::make_unique<HourOfHistory>(static_cast<uint64_t>(state.range(0)), static_cast<uint64_t>(state.range(1)) << 10);
  HourOfHistory& h = *slot;
  uint64_t pick = 12345;
  const HistoryStats held = h.history.stats();  // within what the bounds kept
  double clone_ms = 0, worst_ms = 0, replayed_s = 0;
  for (auto _ : state) {
    pick = pick * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t t = held.begins_at + (pick >> 11) % (held.ends_at - held.begins_at + 1);
    const auto s0 = std::chrono::steady_clock::now();
    auto past = h.history.at(t);
    if (!past) {
      state.SkipWithError("an instant within the history could not be rebuilt");
      return;
    }
    benchmark::DoNotOptimize(past->version());
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s0).count();
    state.PauseTiming();
    worst_ms = std::max(worst_ms, ms);
    replayed_s += static_cast<double>(t - h.history.plan(t).keyframe_at) / 1e9;
    past.reset();
    auto c0 = std::chrono::steady_clock::now();
    auto copy = h.history.plan(t).keyframe->clone();
    clone_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c0).count();
    copy.reset();
    state.ResumeTiming();
  }
  state.counters["clone_ms"] = clone_ms / static_cast<double>(state.iterations());
  state.counters["worst_ms"] = worst_ms;  // the slowest of the instants picked
  state.counters["replayed_s"] = replayed_s / static_cast<double>(state.iterations());  // from the keyframe, on average
  const HistoryStats hs = h.history.stats();
  state.counters["keyframes"] = static_cast<double>(hs.segments);
  state.counters["history_MiB"] = static_cast<double>(hs.bytes) / (1 << 20);
  state.counters["keyframes_MiB"] = static_cast<double>(hs.keyframe_bytes) / (1 << 20);
  state.counters["reaches_s"] = static_cast<double>(hs.ends_at - hs.begins_at) / 1e9;
  state.counters["evicted_inputs"] = static_cast<double>(hs.evicted_entries);
}
BENCHMARK(BM_SeekPastInstant_100kActors1h)->Args({1, 0})->Args({60, 0})->Args({60, 256})->Unit(benchmark::kMillisecond)->Iterations(40);

// A viewer stepping forward through the same hour: shown a random instant, it asks for the
// instant range(1) seconds later, which is rebuilt on from the one shown (a copy of it and the
// inputs between) unless a keyframe lies between them. range(0) as above; range(2) = 0: the
// same steps rebuilt from the keyframe, as before viewers went on from what they show.
void BM_SeekForwardFromShownInstant_100kActors1h(benchmark::State& state) {
  static std::map<int64_t, std::unique_ptr<HourOfHistory>> hours;
  auto& slot = hours[state.range(0)];
  if (!slot) slot = std::make_unique<HourOfHistory>(static_cast<uint64_t>(state.range(0)));
  HourOfHistory& h = *slot;
  const uint64_t step = static_cast<uint64_t>(state.range(1)) * 1'000'000'000;
  uint64_t pick = 54321;
  const HistoryStats held = h.history.stats();
  double went_on = 0;
  for (auto _ : state) {
    state.PauseTiming();
    pick = pick * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t shown_at = held.begins_at + (pick >> 11) % (held.ends_at - step - held.begins_at + 1);
    std::shared_ptr<const Model> shown = h.history.at(shown_at);
    state.ResumeTiming();
    const RebuildPlan plan =
        state.range(2) ? h.history.plan(shown_at + step, shown, shown_at) : h.history.plan(shown_at + step);
    auto next = History::rebuild(plan);
    if (!next) {
      state.SkipWithError("an instant within the history could not be rebuilt");
      return;
    }
    benchmark::DoNotOptimize(next->version());
    state.PauseTiming();
    went_on += plan.base ? 1 : 0;
    next.reset();
    shown.reset();
    state.ResumeTiming();
  }
  state.counters["went_on"] = went_on / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SeekForwardFromShownInstant_100kActors1h)->Args({60, 1, 1})->Args({60, 10, 1})->Args({60, 1, 0})->Unit(benchmark::kMillisecond)->Iterations(5);

// The flight recorder of the same hour written out as a recording (--export-history), and
// that file opened again (replayed into a model with its own history): bytes, time of each.
void BM_ExportHistory_100kActors1h(benchmark::State& state) {
  static std::map<int64_t, std::unique_ptr<HourOfHistory>> hours;
  auto& slot = hours[state.range(0)];
  if (!slot) slot = std::make_unique<HourOfHistory>(static_cast<uint64_t>(state.range(0)));
  HourOfHistory& h = *slot;
  uint64_t bytes = 0;
  double open_ms = 0;
  const std::string path =
      (std::filesystem::temp_directory_path() / ("actorscope-bench-export." + std::to_string(::getpid()) + ".rec")).string();
  for (auto _ : state) {
    std::string error;
    if (!write_history_export(h.history.export_plan(), path, error)) {
      state.SkipWithError(error.c_str());
      return;
    }
    state.PauseTiming();
    RecordIndex index;
    if (read_record_index(path, index, error)) bytes = index.file_bytes;
    const auto t0 = std::chrono::steady_clock::now();
    {
      Model opened(bench_settings());
      History history;
      opened.set_history(&history);
      ReplayResult r = replay(path, opened);
      if (!r.ok) {
        state.SkipWithError(r.error.c_str());
        return;
      }
    }
    open_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    state.ResumeTiming();
  }
  std::remove(path.c_str());
  state.counters["file_MiB"] = static_cast<double>(bytes) / (1 << 20);
  state.counters["history_MiB"] = static_cast<double>(h.history.stats().bytes) / (1 << 20);
  state.counters["open_ms"] = open_ms / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ExportHistory_100kActors1h)->Arg(1)->Arg(60)->Unit(benchmark::kMillisecond)->Iterations(3);

// Replays the file named by ACTORSCOPE_REPLAY_FILE (a --record file), when set.
void BM_IngestReplayFile(benchmark::State& state) {
  const char* path = std::getenv("ACTORSCOPE_REPLAY_FILE");
  if (!path) {
    state.SkipWithError("set ACTORSCOPE_REPLAY_FILE to a file written by actorscope-collector --record");
    return;
  }
  uint64_t records = 0;
  for (auto _ : state) {
    Model model(bench_settings());
    ReplayResult r = replay(path, model);
    if (!r.ok) {
      state.SkipWithError(r.error.c_str());
      return;
    }
    records += r.records;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_IngestReplayFile)->Unit(benchmark::kMillisecond)->UseRealTime();

// A model holding 1 M live actors: 1000 supervisors, 50 types, one stats sample each.
std::unique_ptr<Model> model_1m(NodeKey& n) {
  bench::StreamShape shape;
  shape.actors = 1'000'000;
  shape.stats_rounds = 1;
  shape.restarts = 0;
  shape.telemetry = 1000;
  static const bench::SyntheticStream s = bench::make_stream(shape);
  auto m = std::make_unique<Model>(bench_settings());
  n = m->on_hello(1, s.hello);
  for (const auto& b : s.batches) m->apply_batch(n, b.data(), b.size());
  m->tick(1'000'000'000);
  return m;
}

void BM_MemoryPerActor_1M(benchmark::State& state) {
  NodeKey n = 0;
  std::unique_ptr<Model> m;
  for (auto _ : state) m = model_1m(n);
  ModelStats st = m->stats();
  state.counters["live_actors"] = static_cast<double>(st.live_actors);
  state.counters["actor_table_bytes/actor"] = static_cast<double>(st.actor_table_bytes) / static_cast<double>(st.live_actors);
  state.counters["model_bytes/actor"] = static_cast<double>(st.memory_bytes) / static_cast<double>(st.live_actors);
  state.counters["sizeof(Actor)"] = sizeof(Actor);
}
BENCHMARK(BM_MemoryPerActor_1M)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_MetricsRender_1M(benchmark::State& state) {
  NodeKey n = 0;
  static std::unique_ptr<Model> m = model_1m(n);
  std::mutex mu;
  MetricsCollectable collectable(*m, mu);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = to_text(collectable.Collect());
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["text_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_MetricsRender_1M)->Unit(benchmark::kMillisecond);

// The flight recorder's keyframe of a model holding 1 M live actors, as the live collector
// takes it on its loop.
void BM_Keyframe_1M(benchmark::State& state) {
  NodeKey n = 0;
  static std::unique_ptr<Model> m = model_1m(n);
  for (auto _ : state) {
    std::unique_ptr<Model> copy = m->clone_keyframe();
    benchmark::DoNotOptimize(copy.get());
  }
}
BENCHMARK(BM_Keyframe_1M)->Unit(benchmark::kMillisecond);

// The same keyframe as the flight recorder takes it: begun (all but the rows and the id
// index), then those copied in parts of HistorySettings' default bytes, one after each input. Reports the longest
// step, which is what one loop turn pays.
void BM_KeyframeInParts_1M(benchmark::State& state) {
  NodeKey n = 0;
  static std::unique_ptr<Model> m = model_1m(n);
  const size_t bytes = HistorySettings{}.keyframe_copy_bytes_per_input;
  using ms = std::chrono::duration<double, std::milli>;
  std::vector<double> begins, parts;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    m->begin_keyframe();
    begins.push_back(ms(std::chrono::steady_clock::now() - t0).count());
    std::unique_ptr<Model> copy;
    while (!copy) {
      auto s0 = std::chrono::steady_clock::now();
      copy = m->continue_keyframe(bytes);
      parts.push_back(ms(std::chrono::steady_clock::now() - s0).count());
    }
    benchmark::DoNotOptimize(copy.get());
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  state.counters["begin_median_ms"] = median(begins);
  state.counters["begin_max_ms"] = *std::max_element(begins.begin(), begins.end());
  state.counters["part_median_ms"] = median(parts);
  state.counters["part_max_ms"] = *std::max_element(parts.begin(), parts.end());
  state.counters["parts"] = static_cast<double>(parts.size()) / static_cast<double>(begins.size());
}
BENCHMARK(BM_KeyframeInParts_1M)->Unit(benchmark::kMillisecond);

// What memory the process has not touched yet costs on this machine, per MiB: a keyframe's
// copy is written to fresh memory, so its steps are sized by this, not by memcpy's speed.
// First touch of 64 MiB page by page (4 KiB pages, or huge pages when asked: the first such
// mapping may wait for the kernel to make huge pages, later ones take those just unmapped),
// then the same bytes written again, in place. Slowest and fastest first touch reported.
void BM_FreshMemory(benchmark::State& state) {
  const bool huge = state.range(0) != 0;
  constexpr size_t kBytes = 64ull << 20;
  constexpr double kMiB = kBytes >> 20;
  using ms = std::chrono::duration<double, std::milli>;
  double slowest = 0, fastest = 1e9, again = 0;
  for (auto _ : state) {
    void* m = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      state.SkipWithError("mmap failed");
      return;
    }
    char* p = static_cast<char*>(m);
    ::madvise(p, kBytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < kBytes; i += 4096) p[i] = 1;
    auto t1 = std::chrono::steady_clock::now();
    std::memset(p, 2, kBytes);
    auto t2 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(p[kBytes / 2]);
    slowest = std::max(slowest, ms(t1 - t0).count() / kMiB);
    fastest = std::min(fastest, ms(t1 - t0).count() / kMiB);
    again += ms(t2 - t1).count();
    ::munmap(p, kBytes);
  }
  state.counters["first_touch_slowest_ms_per_MiB"] = slowest;
  state.counters["first_touch_fastest_ms_per_MiB"] = fastest;
  state.counters["in_place_ms_per_MiB"] = again / kMiB / static_cast<double>(state.iterations());
}
BENCHMARK(BM_FreshMemory)->Arg(0)->Arg(1)->Iterations(5)->Unit(benchmark::kMillisecond);

// The longest apply of one 256-record slice (what the server applies in one loop turn) while a
// hostile peer grows one table: 800 000 actors (rows and their index), or 600 000 child ids
// (the string pool) followed by 1 000 000 restarts. Rows 1 and 14 of the hostile-peer table.
namespace {
template <class Make>
double longest_slice_ms(size_t records, Make make) {
  using namespace actorscope;
  collector::Model m;
  proto::Hello h;
  h.node = "peer";
  h.incarnation = 1;
  collector::NodeKey k = m.on_hello(1, h);
  std::vector<uint8_t> buf;
  double longest = 0;
  for (size_t at = 0; at < records; at += 256) {
    buf.clear();
    proto::Writer w(buf);
    for (size_t i = at; i < std::min(records, at + 256); ++i) make(w, i);
    auto t0 = std::chrono::steady_clock::now();
    m.apply_batch(k, buf.data(), buf.size());
    longest = std::max(longest, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return longest;
}
}  // namespace

// A model holding `actors` live actors (spawned, one stats sample each) of one node, `n`,
// that offered message flow.
std::unique_ptr<Model> flow_model(uint64_t actors, NodeKey& n) {
  bench::StreamShape shape;
  shape.actors = actors;
  shape.stats_rounds = 1;
  shape.restarts = 0;
  shape.telemetry = 0;
  bench::SyntheticStream s = bench::make_stream(shape);
  s.hello.capabilities |= proto::kCapFlow;
  auto model = std::make_unique<Model>(bench_settings());
  n = model->on_hello(1, s.hello);
  for (const auto& b : s.batches) model->apply_batch(n, b.data(), b.size());
  return model;
}

// One viewer's request for the flow by supervisor subtree, at the collector's caps: 1 M live
// actors under 1 000 supervisors, the top senders of 16 384 receivers (the default cap), 8
// each, senders drawn from all actors. Asked for the root (every actor is in its subtree: the
// most walking) and for one of its 999 child supervisors. It runs on the collector's loop, in
// the viewer's slice.
void BM_SubtreeFlow_1M(benchmark::State& state) {
  static NodeKey n = 0;
  static std::unique_ptr<Model> m = [] {
    auto model = flow_model(1'000'000, n);
    model->set_now(1'000'000'000);
    std::mt19937_64 rng(7);
    proto::FlowEdges r;
    r.sample_every = 32;
    for (uint64_t k = 0; k < ModelSettings{}.max_flow_receivers_per_node; ++k) {
      const uint64_t to = 1001 + rng() % 999'000;
      for (int j = 0; j < 8; ++j) {
        r.edges[r.n++] = {1 + rng() % 1'000'000, to, 0, 1 + rng() % 4, 0, 0};
        if (r.n == proto::kMaxFlowEdges) {
          model->apply(n, r);
          r.n = 0;
        }
      }
    }
    if (r.n) model->apply(n, r);
    return model;
  }();
  const uint64_t supervisor = static_cast<uint64_t>(state.range(0));
  size_t edges = 0;
  for (auto _ : state) {
    SubtreeFlow f = m->subtree_flow(n, supervisor, 24);
    edges = f.edges.size();
    benchmark::DoNotOptimize(f.groups.data());
  }
  state.counters["edges"] = static_cast<double>(edges);
}
BENCHMARK(BM_SubtreeFlow_1M)->Arg(1)->Arg(500)->Unit(benchmark::kMillisecond);

// The costliest flow record a peer can send: 256 edges (the most a record holds), each to
// another of 16 384 receivers whose 8 top senders are all taken, each from a sender they do
// not hold (Space-Saving replaces the smallest), with the clock moved on since the last
// record (every counter has decayed). Time per record.
void BM_FlowEdgesWorstRecord(benchmark::State& state) {
  NodeKey n = 0;
  auto model = flow_model(20'000, n);
  const uint64_t receivers = ModelSettings{}.max_flow_receivers_per_node;
  uint64_t now = 1'000'000'000, next_sender = 1;
  proto::FlowEdges r;
  r.sample_every = 32;
  auto record = [&](uint64_t first_receiver) {
    r.n = 0;
    for (uint64_t k = 0; k < proto::kMaxFlowEdges; ++k) {
      const uint64_t to = 1001 + (first_receiver + k) % receivers;
      r.edges[r.n++] = {1001 + next_sender++ % 18'000, to, 0, 1 + next_sender % 3, 0, 0};
    }
    model->set_now(now += 1'000'000);
    model->apply(n, r);
  };
  // Every receiver's lists filled: 16 senders each (more than the 8 kept).
  for (int round = 0; round < 16; ++round)
    for (uint64_t first = 0; first < receivers; first += proto::kMaxFlowEdges) record(first);
  uint64_t first = 0;
  for (auto _ : state) {
    record(first);
    first = (first + proto::kMaxFlowEdges) % receivers;
  }
  state.counters["edges/record"] = static_cast<double>(proto::kMaxFlowEdges);
}
BENCHMARK(BM_FlowEdgesWorstRecord)->Unit(benchmark::kMicrosecond);

// A tick (every 100 ms) on a node whose 200 000 supervisors each have a restart inside a
// long period (a peer chooses the period: up to 49 days): the tick follows restart budgets
// that change with time alone. Nothing changes between these ticks.
void BM_Tick_200kSupervisorsInLongPeriods(benchmark::State& state) {
  auto model = std::make_unique<Model>(bench_settings());
  bench::StreamShape shape;
  shape.actors = 1;
  shape.stats_rounds = 0;
  shape.restarts = 0;
  shape.telemetry = 0;
  const NodeKey n = model->on_hello(1, bench::make_stream(shape).hello);
  std::vector<uint8_t> batch;
  proto::Writer w(batch);
  proto::encode(w, proto::StringDef{1, "sup"});
  proto::encode(w, proto::StringDef{2, "c"});
  constexpr uint64_t kSupervisors = 200'000;
  for (uint64_t id = 10; id < 10 + kSupervisors; ++id) {
    proto::ActorSpawned sp;
    sp.actor = id;
    sp.type = 1;
    sp.kind = proto::ActorKind::Supervisor;
    sp.strategy = proto::Strategy::OneForOne;
    sp.intensity = 3;
    sp.period_ms = 4'000'000'000u;
    proto::encode(w, sp);
    proto::ChildRestarted rs;
    rs.supervisor = id;
    rs.child_id = 2;
    rs.reason = proto::ExitReason::Error;
    proto::encode(w, rs);
  }
  model->set_now(1'000'000'000);
  model->apply_batch(n, batch.data(), batch.size());
  uint64_t now = 1'000'000'000;
  model->tick(now);
  for (auto _ : state) model->tick(now += 100'000'000);
  state.counters["supervisors"] = static_cast<double>(kSupervisors);
}
BENCHMARK(BM_Tick_200kSupervisorsInLongPeriods)->Unit(benchmark::kMicrosecond);

static void BM_LongestSlice_800kActors(benchmark::State& state) {
  using namespace actorscope;
  for (auto _ : state) {
    state.counters["longest_slice_ms"] = longest_slice_ms(800'000, [](proto::Writer& w, size_t i) {
      if (i == 0) proto::encode(w, proto::StringDef{1, "t"});
      proto::ActorSpawned s;
      s.actor = (static_cast<uint64_t>(i + 1) << 40) | 1;
      s.type = 1;
      proto::encode(w, s);
    });
  }
}
BENCHMARK(BM_LongestSlice_800kActors)->Unit(benchmark::kMillisecond)->Iterations(1);

static void BM_LongestSlice_600kChildIds(benchmark::State& state) {
  using namespace actorscope;
  for (auto _ : state) {
    state.counters["longest_slice_ms"] = longest_slice_ms(1'600'001, [](proto::Writer& w, size_t i) {
      if (i == 0) {
        proto::encode(w, proto::StringDef{1, "sup"});
        proto::ActorSpawned s;
        s.actor = 1;
        s.type = 1;
        s.kind = proto::ActorKind::Supervisor;
        s.strategy = proto::Strategy::OneForOne;
        s.intensity = 1'000'000;
        s.period_ms = 1000;
        proto::encode(w, s);
        return;
      }
      proto::ChildRestarted r{};
      r.supervisor = 1;
      if (i <= 600'000) {
        std::string child = "child" + std::to_string(i);
        proto::encode(w, proto::StringDef{static_cast<uint32_t>(i + 1), child});
        r.child_id = static_cast<uint32_t>(i + 1);
      } else {
        r.child_id = static_cast<uint32_t>(2 + i % 100);
      }
      proto::encode(w, r);
    });
  }
}
BENCHMARK(BM_LongestSlice_600kChildIds)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
