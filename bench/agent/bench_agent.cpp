// Cost of accounting one message with the agent, against the same accounting done with
// prometheus-cpp in the same binary; the disabled agent per hook; memory per live actor.
//
// One message accounted = enqueue + dequeue + processing time, where the end of one
// message is the begin of the next (one clock read per message).
#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "actorscope/agent.h"

namespace {

actorscope_actor* spawn_bench_actor(const char* type) {
  actorscope_spawn_info info{};
  info.type = type;
  return actorscope_spawn(&info);
}

// ---- the agent ---------------------------------------------------------------------------
void BM_Agent_AccountMessage(benchmark::State& state) {
  actorscope_actor* a = spawn_bench_actor("bench");  // one actor per thread
  if (!a) {
    state.SkipWithError("agent not enabled");
    return;
  }
  uint64_t t = actorscope_process_begin(a);
  for (auto _ : state) {
    actorscope_enqueue(a);
    actorscope_dequeue(a);
    t = actorscope_process_end(a, t);
  }
  actorscope_exit(a, ACTORSCOPE_EXIT_NORMAL, nullptr);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Agent_AccountMessage)->Threads(1)->Threads(2)->UseRealTime();

// The same message sent with its sender and type (actorscope_enqueue_from): exact counts as
// above, and 1 in ACTORSCOPE_FLOW_SAMPLE sends counted by (sender, receiver, type) into the
// thread's edge table. Sampling runs only while a collector that takes flow is connected
// (main waits for it when ACTORSCOPE_COLLECTOR is set, and says which it was).
void BM_Agent_AccountMessageWithSender(benchmark::State& state) {
  actorscope_actor* a = spawn_bench_actor("bench_receiver");
  actorscope_actor* from = spawn_bench_actor("bench_sender");
  if (!a || !from) {
    state.SkipWithError("agent not enabled");
    return;
  }
  const actorscope_msg_type type = actorscope_message_type("bench_request");
  uint64_t t = actorscope_process_begin(a);
  for (auto _ : state) {
    actorscope_enqueue_from(a, from, type);
    actorscope_dequeue(a);
    t = actorscope_process_end(a, t);
  }
  actorscope_exit(a, ACTORSCOPE_EXIT_NORMAL, nullptr);
  actorscope_exit(from, ACTORSCOPE_EXIT_NORMAL, nullptr);
  state.counters["sampled"] = __atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED) != 0;
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Agent_AccountMessageWithSender)->Threads(1)->Threads(2)->UseRealTime();

// Many senders, one receiver cell: the sender cache line is shared.
void BM_Agent_EnqueueSharedActor(benchmark::State& state) {
  static actorscope_actor* shared_actor = nullptr;
  if (state.thread_index() == 0) shared_actor = spawn_bench_actor("bench_shared");
  // google-benchmark synchronises threads before the timed loop.
  for (auto _ : state) actorscope_enqueue(shared_actor);
  if (state.thread_index() == 0) actorscope_exit(shared_actor, ACTORSCOPE_EXIT_NORMAL, nullptr);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Agent_EnqueueSharedActor)->Threads(1)->Threads(2)->UseRealTime();

// ---- the same accounting with prometheus-cpp ----------------------------------------------
struct PromActor {
  prometheus::Counter* enqueued;
  prometheus::Counter* dequeued;
  prometheus::Gauge* depth;
  prometheus::Histogram* processing;
};

prometheus::Registry& registry() {
  static auto* r = new prometheus::Registry();
  return *r;
}

PromActor prom_actor(const std::string& id) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  auto& r = registry();
  static auto& enq = prometheus::BuildCounter().Name("bench_enqueued_total").Register(r);
  static auto& deq = prometheus::BuildCounter().Name("bench_dequeued_total").Register(r);
  static auto& depth = prometheus::BuildGauge().Name("bench_mailbox_depth").Register(r);
  static auto& hist = prometheus::BuildHistogram().Name("bench_processing_seconds").Register(r);
  prometheus::Labels labels{{"actor", id}};
  return PromActor{&enq.Add(labels), &deq.Add(labels), &depth.Add(labels),
                   &hist.Add(labels, prometheus::Histogram::BucketBoundaries{1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 1e-2, 1e-1,
                                                                             1, 5})};
}

// One message accounted with prometheus-cpp, and with `edge` (when given) the sender's counter.
void prometheus_account(benchmark::State& state, const PromActor& p, prometheus::Counter* edge) {
  // The same clock read as the agent (TSC), converted to seconds for Observe().
  const double seconds_per_tick = 1.0 / 3e9;
  uint64_t t = actorscope_now();
  for (auto _ : state) {
    p.enqueued->Increment();
    if (edge) edge->Increment();
    p.depth->Increment();
    p.dequeued->Increment();
    p.depth->Decrement();
    uint64_t end = actorscope_now();
    p.processing->Observe(double(end - t) * seconds_per_tick);
    t = end;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Prometheus_AccountMessage(benchmark::State& state) {
  prometheus_account(state, prom_actor(std::to_string(state.thread_index())), nullptr);
}
BENCHMARK(BM_Prometheus_AccountMessage)->Threads(1)->Threads(2)->UseRealTime();

// The same, with the sender counted too, as prometheus-cpp would: one more labelled counter
// per (sender, receiver) pair, looked up once (its best case: no label lookup per message).
void BM_Prometheus_AccountMessageWithSender(benchmark::State& state) {
  PromActor p = prom_actor(std::to_string(state.thread_index()));
  prometheus::Counter* edge;
  {
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    static auto& sent = prometheus::BuildCounter().Name("bench_messages_sent_total").Register(registry());
    edge = &sent.Add({{"from", "sender" + std::to_string(state.thread_index())},
                      {"to", std::to_string(state.thread_index())}, {"type", "bench_request"}});
  }
  prometheus_account(state, p, edge);
}
BENCHMARK(BM_Prometheus_AccountMessageWithSender)->Threads(1)->Threads(2)->UseRealTime();

// ---- the disabled agent: a NULL handle, per hook --------------------------------------------
void BM_Disabled_Enqueue(benchmark::State& state) {
  actorscope_actor* a = nullptr;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a);
    actorscope_enqueue(a);
  }
}
BENCHMARK(BM_Disabled_Enqueue);

void BM_Disabled_Dequeue(benchmark::State& state) {
  actorscope_actor* a = nullptr;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a);
    actorscope_dequeue(a);
  }
}
BENCHMARK(BM_Disabled_Dequeue);

void BM_Disabled_ProcessEnd(benchmark::State& state) {
  actorscope_actor* a = nullptr;
  uint64_t t = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a);
    t = actorscope_process_end(a, t);
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_Disabled_ProcessEnd);

// ---- memory per live actor --------------------------------------------------------------------
uint64_t resident_bytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * 4096;
}

void BM_Agent_MemoryPerLiveActor(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    actorscope_stats before, after;
    actorscope_get_stats(&before);
    uint64_t rss_before = resident_bytes();
    std::vector<actorscope_actor*> actors;
    actors.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      actorscope_actor* a = spawn_bench_actor("bench_mem");
      actorscope_enqueue(a);  // touched, as a live actor would be
      actors.push_back(a);
    }
    actorscope_get_stats(&after);
    uint64_t rss_after = resident_bytes();
    state.counters["agent_bytes_per_actor"] = double(after.agent_bytes - before.agent_bytes) / double(n);
    state.counters["rss_bytes_per_actor"] =
        double(rss_after - rss_before - actors.capacity() * sizeof(void*)) / double(n);
    state.counters["live_actors"] = double(after.live_actors);
    for (actorscope_actor* a : actors) actorscope_exit(a, ACTORSCOPE_EXIT_SHUTDOWN, nullptr);
  }
}
BENCHMARK(BM_Agent_MemoryPerLiveActor)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  // The agent runs as in an app, streaming to nowhere unless ACTORSCOPE_COLLECTOR is set.
  if (actorscope_start(nullptr) != 0) return 1;
  // Message flow is sampled only while a collector that takes it is connected: wait for it.
  if (std::getenv("ACTORSCOPE_COLLECTOR"))
    for (int i = 0; i < 100 && __atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::printf("message flow: %s\n", __atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED) != 0
                                       ? "sampled (a collector that takes flow is connected)"
                                       : "not sampled (no collector that takes flow; set ACTORSCOPE_COLLECTOR)");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  actorscope_stats s;
  actorscope_get_stats(&s);
  std::printf("agent: %llu flushes, drops %llu/%llu/%llu/%llu/%llu/%llu\n", (unsigned long long)s.flushes,
              (unsigned long long)s.dropped[0], (unsigned long long)s.dropped[1], (unsigned long long)s.dropped[2],
              (unsigned long long)s.dropped[3], (unsigned long long)s.dropped[4], (unsigned long long)s.dropped[5]);
  actorscope_stop();
  return 0;
}
