// actorscope-bench-caf: a CAF workload (ping-pong and fan-out) run plain and through the
// actorscope adapter in the same binary, interleaved, with the throughput loss in %.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include <caf/all.hpp>

#include "actorscope/agent.h"
#include "actorscope/caf/spawn.hpp"

namespace {

using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using go_atom = caf::atom_constant<caf::atom("go")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

constexpr uint64_t kRoundTrips = 20000;  // per ping-pong pair and iteration
constexpr int kPairs = 4;                // concurrent ping-pong pairs
constexpr int kFanOutWorkers = 8;
constexpr uint64_t kFanOutMessages = 20000;  // per worker and iteration

// Created in main and destroyed before the agent stops: every actor exits first.
caf::actor_system* the_system = nullptr;
caf::actor_system& system_instance() {
  return *the_system;
}

caf::behavior ponger(caf::event_based_actor*) {
  return {[](ping_atom, uint64_t n) { return caf::make_message(pong_atom::value, n); }};
}

caf::behavior pinger(caf::event_based_actor* self, caf::actor peer, caf::actor client) {
  return {
      [self, peer](go_atom, uint64_t n) { self->send(peer, ping_atom::value, n); },
      [self, peer, client](pong_atom, uint64_t n) {
        if (n == 0)
          self->send(client, done_atom::value);
        else
          self->send(peer, ping_atom::value, n - 1);
      },
  };
}

caf::behavior counter(caf::event_based_actor* self, uint64_t expected, caf::actor client) {
  auto seen = std::make_shared<uint64_t>(0);
  return {[self, seen, expected, client](uint64_t) {
    if (++*seen == expected) self->send(client, done_atom::value);
  }};
}

template <bool Instrumented, class F, class... Ts>
caf::actor start(const char* type, F fun, Ts&&... xs) {
  auto& sys = system_instance();
  if constexpr (Instrumented) {
    actorscope::caf::actor_info info;
    info.type = type;
    return actorscope::caf::spawn(sys, info, fun, std::forward<Ts>(xs)...);
  } else {
    return sys.spawn(fun, std::forward<Ts>(xs)...);
  }
}

// Stops the actors and waits until they are gone, so that no cleanup spills into the
// next round (which would bias whichever variant runs second).
void stop_all(caf::scoped_actor& client, const std::vector<caf::actor>& actors) {
  for (auto& a : actors) {
    client->monitor(a);
    client->send_exit(a, caf::exit_reason::user_shutdown);
  }
  size_t down = 0;
  client->receive_for(down, actors.size())([](caf::down_msg&) {});
}

// One round of each workload; returns the messages it moved.
template <bool Instrumented>
uint64_t ping_pong_round(caf::scoped_actor& client) {
  std::vector<caf::actor> pingers, pongers;
  for (int p = 0; p < kPairs; ++p) {
    pongers.push_back(start<Instrumented>("ponger", ponger));
    pingers.push_back(start<Instrumented>("pinger", pinger, pongers.back(), caf::actor{client}));
  }
  for (auto& p : pingers) client->send(p, go_atom::value, kRoundTrips);
  for (int p = 0; p < kPairs; ++p) client->receive([](done_atom) {});
  stop_all(client, pingers);
  stop_all(client, pongers);
  return kPairs * kRoundTrips * 2;  // a round trip is two messages
}

template <bool Instrumented>
uint64_t fan_out_round(caf::scoped_actor& client) {
  std::vector<caf::actor> workers;
  for (int w = 0; w < kFanOutWorkers; ++w)
    workers.push_back(start<Instrumented>("counter", counter, kFanOutMessages, caf::actor{client}));
  for (uint64_t i = 0; i < kFanOutMessages; ++i)
    for (auto& w : workers) caf::anon_send(w, i);
  for (int w = 0; w < kFanOutWorkers; ++w) client->receive([](done_atom) {});
  stop_all(client, workers);
  return kFanOutWorkers * kFanOutMessages;
}

template <bool Instrumented>
void PingPong(benchmark::State& state) {
  caf::scoped_actor client{system_instance()};
  uint64_t messages = 0;
  for (auto _ : state) messages += ping_pong_round<Instrumented>(client);
  state.SetItemsProcessed(static_cast<int64_t>(messages));
}

template <bool Instrumented>
void FanOut(benchmark::State& state) {
  caf::scoped_actor client{system_instance()};
  uint64_t messages = 0;
  for (auto _ : state) messages += fan_out_round<Instrumented>(client);
  state.SetItemsProcessed(static_cast<int64_t>(messages));
}

// Paired rounds: plain and instrumented back to back, many times; the median of the
// per-pair time ratios cancels the drift of a shared, noisy machine.
template <uint64_t (*Plain)(caf::scoped_actor&), uint64_t (*Instrumented)(caf::scoped_actor&)>
void paired(const char* workload, int rounds) {
  caf::scoped_actor client{system_instance()};
  std::vector<double> ratios;
  double best_plain = 0, best_instrumented = 0;
  auto timed = [&](auto fun) {
    auto t0 = std::chrono::steady_clock::now();
    uint64_t n = fun(client);
    return static_cast<double>(n) / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  for (int i = 0; i < rounds; ++i) {
    // Alternate which variant goes first, so that an order effect cancels out.
    double p = 0, q = 0;
    if (i % 2 == 0) {
      p = timed(Plain);
      q = timed(Instrumented);
    } else {
      q = timed(Instrumented);
      p = timed(Plain);
    }
    ratios.push_back(q / p);
    best_plain = std::max(best_plain, p);
    best_instrumented = std::max(best_instrumented, q);
  }
  std::sort(ratios.begin(), ratios.end());
  double median = ratios[ratios.size() / 2];
  std::printf("%s paired (%d rounds): best plain %.3g msg/s, best with actorscope %.3g msg/s, median loss %.2f %% (budget 3 %%)\n",
              workload, rounds, best_plain, best_instrumented, 100.0 * (1.0 - median));
}

// Console output as usual, plus the loss of each instrumented run against its plain twin,
// from the median of the repetitions (or the single run).
class LossReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs) {
      std::string name = r.benchmark_name();
      bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      bool single = r.run_type == Run::RT_Iteration && r.repetitions <= 1;
      if (!median && !single) continue;
      auto it = r.counters.find("items_per_second");
      if (it != r.counters.end()) rates_[name.substr(0, name.find("_median"))] = it->second.value;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const char* workload : {"PingPong", "FanOut"}) {
      auto plain = find(std::string(workload) + "<false>");
      auto instrumented = find(std::string(workload) + "<true>");
      if (plain <= 0 || instrumented <= 0) continue;
      std::printf("%s: plain %.3g msg/s, with actorscope %.3g msg/s, loss %.2f %% (budget 3 %%)\n", workload, plain,
                  instrumented, 100.0 * (plain - instrumented) / plain);
    }
  }

 private:
  double find(const std::string& prefix) const {
    for (const auto& [name, rate] : rates_)
      if (name.rfind(prefix, 0) == 0) return rate;
    return 0;
  }
  std::map<std::string, double> rates_;
};

}  // namespace

// Interleaved: plain and instrumented alternate, so drifts of the machine hit both.
BENCHMARK_TEMPLATE(PingPong, false)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(PingPong, true)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(FanOut, false)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(FanOut, true)->UseRealTime()->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  // The agent runs with live cells and no collector: the cost measured is the adapter's
  // and the agent's hooks, not the network.
  actorscope_config cfg;
  actorscope_config_init(&cfg);
  cfg.collector = nullptr;
  if (actorscope_start(&cfg) != 0) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  {
    caf::actor_system_config caf_cfg;
    caf::actor_system sys{caf_cfg};
    the_system = &sys;
    LossReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    int rounds = 21;
    if (const char* r = std::getenv("ACTORSCOPE_BENCH_ROUNDS")) rounds = std::max(1, std::atoi(r));
    paired<ping_pong_round<false>, ping_pong_round<true>>("PingPong", rounds);
    paired<fan_out_round<false>, fan_out_round<true>>("FanOut", rounds);
    the_system = nullptr;
  }
  benchmark::Shutdown();
  actorscope_stop();
  return 0;
}
