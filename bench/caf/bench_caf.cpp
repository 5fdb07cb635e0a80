// actorscope-bench-caf: a CAF workload (ping-pong and fan-out) run plain, through the
// actorscope adapter, and through the adapter with the agent's disabled path (the control),
// in the same process, in alternating rounds: CPU time and instructions per message.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <valgrind/callgrind.h>

#include <caf/all.hpp>

#include "actorscope/agent.h"
#include "actorscope/caf/spawn.hpp"

namespace {

using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using go_atom = caf::atom_constant<caf::atom("go")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using hold_atom = caf::atom_constant<caf::atom("hold")>;

uint64_t kRoundTrips = 20000;  // per ping-pong pair and iteration (ACTORSCOPE_BENCH_MESSAGES)
constexpr int kPairs = 4;       // concurrent ping-pong pairs
constexpr int kFanOutWorkers = 8;
uint64_t kFanOutMessages = 20000;  // per worker and iteration (ACTORSCOPE_BENCH_MESSAGES)
constexpr uint64_t kCallgrindSlowdown = 100;  // how much longer than native a message may read under callgrind

// The measured span of a round: the messages only, not the spawns and exits around them.
struct Span {
  virtual void begin() = 0;
  virtual void end() = 0;
};
Span* the_span = nullptr;  // set while rounds are measured
void span_begin() {
  if (the_span) the_span->begin();
}
void span_end() {
  if (the_span) the_span->end();
}

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

// How a workload's actors are spawned: plain CAF, through the adapter, or through the
// adapter but not registered with the agent (the control: the agent-disabled path).
enum Mode { kPlain = 0, kInstrumented = 1, kControl = 2 };

template <int M, class F, class... Ts>
caf::actor start(const char* type, F fun, Ts&&... xs) {
  auto& sys = system_instance();
  if constexpr (M == kPlain) {
    return sys.spawn(fun, std::forward<Ts>(xs)...);
  } else {
    actorscope::caf::actor_info info;
    info.type = type;
    info.reported = M == kInstrumented;
    return actorscope::caf::spawn(sys, info, fun, std::forward<Ts>(xs)...);
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
template <int M>
uint64_t ping_pong_round(caf::scoped_actor& client) {
  std::vector<caf::actor> pingers, pongers;
  for (int p = 0; p < kPairs; ++p) {
    pongers.push_back(start<M>("ponger", ponger));
    pingers.push_back(start<M>("pinger", pinger, pongers.back(), caf::actor{client}));
  }
  span_begin();
  for (auto& p : pingers) client->send(p, go_atom::value, kRoundTrips);
  for (int p = 0; p < kPairs; ++p) client->receive([](done_atom) {});
  span_end();
  stop_all(client, pingers);
  stop_all(client, pongers);
  return kPairs * kRoundTrips * 2;  // a round trip is two messages
}

template <int M>
uint64_t fan_out_round(caf::scoped_actor& client) {
  std::vector<caf::actor> workers;
  for (int w = 0; w < kFanOutWorkers; ++w)
    workers.push_back(start<M>("counter", counter, kFanOutMessages, caf::actor{client}));
  span_begin();
  for (uint64_t i = 0; i < kFanOutMessages; ++i)
    for (auto& w : workers) caf::anon_send(w, i);
  for (int w = 0; w < kFanOutWorkers; ++w) client->receive([](done_atom) {});
  span_end();
  stop_all(client, workers);
  return kFanOutWorkers * kFanOutMessages;
}

inline void spin_pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Holds every scheduler thread (an actor on each, spinning) until released: what is sent
// meanwhile waits in the mailboxes.
class SchedulerHold {
 public:
  explicit SchedulerHold(caf::scoped_actor& client) : client_(client) {
    auto& sys = system_instance();
    const size_t n = sys.scheduler().num_workers();
    for (size_t i = 0; i < n; ++i) {
      gates_.push_back(sys.spawn([this](caf::event_based_actor*) -> caf::behavior {
        return {[this](hold_atom) {
          holding_.fetch_add(1, std::memory_order_acq_rel);
          while (!released_.load(std::memory_order_acquire)) spin_pause();
        }};
      }));
      caf::anon_send(gates_.back(), hold_atom::value);
    }
    while (holding_.load(std::memory_order_acquire) < n) std::this_thread::yield();
  }
  void release() { released_.store(true, std::memory_order_release); }
  ~SchedulerHold() {
    release();
    stop_all(client_, gates_);
  }

 private:
  caf::scoped_actor& client_;
  std::vector<caf::actor> gates_;
  std::atomic<size_t> holding_{0};
  std::atomic<bool> released_{false};
};

// Fan-out's receiving side alone. FanOut settles in one of two steady states, from one run of
// the bench to the next: counters that keep up with the sender run dry and are rescheduled at
// every send, which makes the sender the slower side (about 280 ns a message here); counters
// that fall behind keep messages queued, sends stay cheap and the counters bound the rate
// (about 130 ns). Here every message is queued while the scheduler is held, and the span is
// the counters draining them: the rate is the receiving side's whatever the sender's speed.
template <int M>
uint64_t fan_out_drain_round(caf::scoped_actor& client) {
  std::vector<caf::actor> workers;
  for (int w = 0; w < kFanOutWorkers; ++w)
    workers.push_back(start<M>("counter", counter, kFanOutMessages, caf::actor{client}));
  {
    SchedulerHold hold(client);
    for (uint64_t i = 0; i < kFanOutMessages; ++i)
      for (auto& w : workers) caf::anon_send(w, i);
    span_begin();
    hold.release();
    for (int w = 0; w < kFanOutWorkers; ++w) client->receive([](done_atom) {});
    span_end();
  }
  stop_all(client, workers);
  return kFanOutWorkers * kFanOutMessages;
}

template <int M>
void PingPong(benchmark::State& state) {
  caf::scoped_actor client{system_instance()};
  uint64_t messages = 0;
  for (auto _ : state) messages += ping_pong_round<M>(client);
  state.SetItemsProcessed(static_cast<int64_t>(messages));
}

template <int M>
void FanOut(benchmark::State& state) {
  caf::scoped_actor client{system_instance()};
  uint64_t messages = 0;
  for (auto _ : state) messages += fan_out_round<M>(client);
  state.SetItemsProcessed(static_cast<int64_t>(messages));
}

// ---- per-message cost: CPU time and instructions retired, all threads of the process ----

// Instructions retired in user space by every thread of this process: one counter per
// thread (a counter on the process would miss the threads that already exist), opened as
// threads appear. Without a PMU (most VMs) perf_event_open fails: then, when run under
// `valgrind --tool=callgrind`, callgrind's count of executed instructions (Ir, user space,
// all threads) for the same span, read back from the dump it writes; else CPU time only.
class InstructionCounter {
 public:
  InstructionCounter() {
    refresh();
    if (!error_.empty() && RUNNING_ON_VALGRIND) callgrind_ = true;
  }
  ~InstructionCounter() {
    for (auto& [tid, fd] : fds_) ::close(fd);
  }
  bool available() const { return error_.empty() || callgrind_; }
  bool callgrind() const { return callgrind_; }
  const std::string& error() const { return error_; }
  // Opens a counter for each thread not counted yet.
  void refresh() {
    if (callgrind_) {
      CALLGRIND_ZERO_STATS;
      return;
    }
    if (!error_.empty()) return;
    DIR* d = ::opendir("/proc/self/task");
    if (!d) {
      error_ = "cannot list /proc/self/task";
      return;
    }
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      int tid = std::atoi(e->d_name);
      if (fds_.count(tid)) continue;
      perf_event_attr attr{};
      attr.size = sizeof attr;
      attr.type = PERF_TYPE_HARDWARE;
      attr.config = PERF_COUNT_HW_INSTRUCTIONS;
      attr.exclude_kernel = 1;
      attr.exclude_hv = 1;
      int fd = static_cast<int>(::syscall(SYS_perf_event_open, &attr, tid, -1, -1, 0));
      if (fd < 0) {
        error_ = std::string("perf_event_open: ") + std::strerror(errno);
        break;
      }
      fds_[tid] = fd;
    }
    ::closedir(d);
  }
  // The total; under callgrind, since the last refresh(), its dump labelled with `label`.
  uint64_t read(const char* label = "") {
    if (callgrind_) return callgrind_dump(label);
    uint64_t total = 0;
    for (auto& [tid, fd] : fds_) {
      uint64_t v = 0;
      if (::read(fd, &v, sizeof v) == sizeof v) total += v;
    }
    return total;
  }

 private:
  // Callgrind dumps to callgrind.out.<pid>.<n> in the working directory (its default name).
  // ACTORSCOPE_BENCH_KEEP_DUMPS=1 keeps them, for callgrind_annotate.
  uint64_t callgrind_dump(const char* label) {
    CALLGRIND_DUMP_STATS_AT(label);
    std::string path = "callgrind.out." + std::to_string(::getpid()) + "." + std::to_string(++dumps_);
    uint64_t ir = 0;
    if (FILE* f = std::fopen(path.c_str(), "r")) {
      char line[512];
      while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, "totals:", 7) == 0 || std::strncmp(line, "summary:", 8) == 0)
          ir = std::strtoull(std::strchr(line, ':') + 1, nullptr, 10);
      std::fclose(f);
      if (!std::getenv("ACTORSCOPE_BENCH_KEEP_DUMPS")) std::remove(path.c_str());
    }
    return ir;
  }

  std::map<int, int> fds_;
  std::string error_;
  bool callgrind_ = false;
  int dumps_ = 0;
};

double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Cost {  // per message
  double cpu_ns = 0, wall_ns = 0, instructions = 0;
};

using Round = uint64_t (*)(caf::scoped_actor&);

class Meter : public Span {
 public:
  Meter(InstructionCounter& counter, const char* label) : counter_(counter), label_(label) {}
  void begin() override {
    counter_.refresh();
    i0_ = counter_.callgrind() ? 0 : counter_.read();
    c0_ = process_cpu_seconds();
    t0_ = std::chrono::steady_clock::now();
  }
  void end() override {
    t1_ = std::chrono::steady_clock::now();
    c1_ = process_cpu_seconds();
    i1_ = counter_.read(label_);
  }
  Cost per_message(uint64_t n) const {
    Cost c;
    c.cpu_ns = 1e9 * (c1_ - c0_) / static_cast<double>(n);
    c.wall_ns = 1e9 * std::chrono::duration<double>(t1_ - t0_).count() / static_cast<double>(n);
    c.instructions = static_cast<double>(i1_ - i0_) / static_cast<double>(n);
    return c;
  }

 private:
  InstructionCounter& counter_;
  const char* label_;
  uint64_t i0_ = 0, i1_ = 0;
  double c0_ = 0, c1_ = 0;
  std::chrono::steady_clock::time_point t0_, t1_;
};

Cost measure(Round round, caf::scoped_actor& client, InstructionCounter& counter, const char* label) {
  Meter meter(counter, label);
  the_span = &meter;
  uint64_t n = round(client);
  the_span = nullptr;
  return meter.per_message(n);
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  double pos = q * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// "median [p25, p75] (min .. max)" of a loss in %.
std::string spread(const std::vector<double>& loss) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%+6.2f %% [%+.2f, %+.2f] (%+.2f .. %+.2f)", quantile(loss, 0.5), quantile(loss, 0.25),
                quantile(loss, 0.75), quantile(loss, 0.0), quantile(loss, 1.0));
  return buf;
}

// The round trip of one cache line between the first two CPUs this process may run on, in
// ns (0 when it has one CPU, or under valgrind, which runs one thread at a time): what a
// message handed from one core to another pays at least.
// On a VM it moves with where the host puts the virtual CPUs, and with it the regime fan-out
// settles in; the bench prints it around each workload so that a run says which it had.
double core_to_core_round_trip_ns() {
  if (RUNNING_ON_VALGRIND) return 0;
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0;
  int cpus[2], found = 0;
  for (int c = 0; c < CPU_SETSIZE && found < 2; ++c)
    if (CPU_ISSET(c, &allowed)) cpus[found++] = c;
  if (found < 2) return 0;
  auto pin = [](int cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
  };
  constexpr long kTrips = 100000;
  alignas(64) std::atomic<long> line{0};
  std::atomic<bool> failed{false};  // a thread could not be pinned: the other stops waiting
  double ns = 0;
  std::thread a([&] {
    if (!pin(cpus[0])) return failed.store(true);
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < kTrips; ++i) {
      line.store(2 * i + 1, std::memory_order_release);
      while (line.load(std::memory_order_acquire) != 2 * i + 2)
        if (failed.load(std::memory_order_relaxed)) return;
    }
    ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / kTrips;
  });
  std::thread b([&] {
    if (!pin(cpus[1])) return failed.store(true);
    for (long i = 0; i < kTrips; ++i) {
      while (line.load(std::memory_order_acquire) != 2 * i + 1)
        if (failed.load(std::memory_order_relaxed)) return;
      line.store(2 * i + 2, std::memory_order_release);
    }
  });
  a.join();
  b.join();
  return ns;
}

// Alternating rounds: plain, instrumented and the control (instrumented actors not
// registered with the agent: the adapter's agent-disabled path) run back to back in the
// same process, in an order that rotates through all six permutations, so that drift and
// order effects hit each variant alike. Each round yields a ratio against its own plain
// run; the median and spread of those ratios are reported. Loss = 1 − plain/variant, in
// the cost per message (for throughput: 1 − variant/plain msg/s, the same number).
void rounds(const char* workload, Round plain, Round instrumented, Round control, int n,
            InstructionCounter& counter) {
  caf::scoped_actor client{system_instance()};
  const Round variants[3] = {plain, instrumented, control};
  static const int orders[6][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}, {2, 1, 0}, {1, 0, 2}};
  static const char* names[3] = {"plain", "instrumented", "control (agent off)"};
  const double c2c_before = core_to_core_round_trip_ns();
  for (int v = 0; v < 3; ++v) measure(variants[v], client, counter, names[v]);  // warm-up, not counted
  std::vector<Cost> costs[3];
  std::vector<double> cpu_loss[3], wall_loss[3], instr_loss[3];
  for (int i = 0; i < n; ++i) {
    Cost c[3];
    for (int k : orders[i % 6]) c[k] = measure(variants[k], client, counter, names[k]);
    for (int v = 0; v < 3; ++v) {
      costs[v].push_back(c[v]);
      cpu_loss[v].push_back(100.0 * (1.0 - c[0].cpu_ns / c[v].cpu_ns));
      wall_loss[v].push_back(100.0 * (1.0 - c[0].wall_ns / c[v].wall_ns));
      if (counter.available()) instr_loss[v].push_back(100.0 * (1.0 - c[0].instructions / c[v].instructions));
    }
  }
  const double c2c_after = core_to_core_round_trip_ns();
  std::printf("\n%s: %d alternating rounds; per message, median; loss vs plain: median [p25, p75] (min .. max)\n",
              workload, n);
  if (c2c_before > 0 && c2c_after > 0)
    std::printf("  core-to-core round trip %.0f ns before the rounds, %.0f ns after\n", c2c_before, c2c_after);
  for (int v = 0; v < 3; ++v) {
    std::vector<double> cpu, wall, instr;
    for (const Cost& c : costs[v]) {
      cpu.push_back(c.cpu_ns);
      wall.push_back(c.wall_ns);
      instr.push_back(c.instructions);
    }
    std::printf("  %-20s cpu %7.1f ns  wall %7.1f ns", names[v], quantile(cpu, 0.5), quantile(wall, 0.5));
    if (counter.available()) std::printf("  instructions %7.1f", quantile(instr, 0.5));
    std::printf("\n");
    if (v == 0) continue;
    std::printf("      cpu loss    %s\n", spread(cpu_loss[v]).c_str());
    std::printf("      wall loss   %s\n", spread(wall_loss[v]).c_str());
    if (counter.available()) {
      std::vector<double> extra;
      for (size_t i = 0; i < costs[v].size(); ++i) extra.push_back(costs[v][i].instructions - costs[0][i].instructions);
      std::printf("      instr loss  %s, %+.1f instructions per message\n", spread(instr_loss[v]).c_str(),
                  quantile(extra, 0.5));
    }
  }
  std::fflush(stdout);
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
      auto plain = find(std::string(workload) + "<kPlain>");
      auto instrumented = find(std::string(workload) + "<kInstrumented>");
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
BENCHMARK_TEMPLATE(PingPong, kPlain)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(PingPong, kInstrumented)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(PingPong, kControl)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(FanOut, kPlain)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(FanOut, kInstrumented)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(FanOut, kControl)->UseRealTime()->Unit(benchmark::kMillisecond);

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
    // Scheduler threads (ACTORSCOPE_BENCH_WORKERS, default: CAF's, one per core).
    if (const char* w = std::getenv("ACTORSCOPE_BENCH_WORKERS"))
      caf_cfg.set("scheduler.max-threads", static_cast<size_t>(std::max(1, std::atoi(w))));
    caf::actor_system sys{caf_cfg};
    the_system = &sys;
    LossReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    if (const char* m = std::getenv("ACTORSCOPE_BENCH_MESSAGES"))
      kRoundTrips = kFanOutMessages = static_cast<uint64_t>(std::max(1, std::atoi(m)));
    int n = 24;
    if (const char* r = std::getenv("ACTORSCOPE_BENCH_ROUNDS")) n = std::max(1, std::atoi(r));
    // Message flow is sampled only while a collector that takes it is connected
    // ($ACTORSCOPE_COLLECTOR): wait for it, and say which it was.
    if (std::getenv("ACTORSCOPE_COLLECTOR"))
      for (int i = 0; i < 100 && __atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::printf("message flow: %s\n", __atomic_load_n(&actorscope__flow_threshold, __ATOMIC_RELAXED) != 0
                                         ? "sampled (a collector that takes flow is connected)"
                                         : "not sampled (no collector that takes flow; set ACTORSCOPE_COLLECTOR)");
    InstructionCounter counter;  // after the actor system: its threads exist
    if (counter.callgrind()) {
      std::printf("instructions: callgrind's Ir, user space, all threads (%s: no PMU)\n", counter.error().c_str());
      // Callgrind runs the code some 50 times slower: a message of 200 ns natively would read
      // longer than the shortest bucket (10 us) and take the adapter's long-message path, which
      // natively it never does. The bucket bounds (in clock ticks) are raised by as much, so
      // that the instructions counted are those of the path a native run takes.
      for (uint64_t& ticks : actorscope__bucket_ticks) ticks *= kCallgrindSlowdown;
      std::printf("instructions: histogram bucket bounds raised %llux under callgrind (messages take their native path)\n",
                  static_cast<unsigned long long>(kCallgrindSlowdown));
    }
    else if (counter.available())
      std::printf("instructions retired: user space, all threads (perf_event_open)\n");
    else
      std::printf("instructions retired: not measured (%s: no PMU, e.g. in a VM; run under valgrind --tool=callgrind for instruction counts): CPU time only\n",
                  counter.error().c_str());
    // ACTORSCOPE_BENCH_WORKLOADS: a comma-separated subset (default: all three).
    const char* only = std::getenv("ACTORSCOPE_BENCH_WORKLOADS");
    auto wanted = [only](const std::string& w) {
      if (!only) return true;
      const std::string list = std::string(",") + only + ",";
      return list.find("," + w + ",") != std::string::npos;
    };
    if (wanted("PingPong"))
      rounds("PingPong", ping_pong_round<kPlain>, ping_pong_round<kInstrumented>, ping_pong_round<kControl>, n, counter);
    if (wanted("FanOut"))
      rounds("FanOut", fan_out_round<kPlain>, fan_out_round<kInstrumented>, fan_out_round<kControl>, n, counter);
    if (wanted("FanOutDrain"))
      rounds("FanOutDrain", fan_out_drain_round<kPlain>, fan_out_drain_round<kInstrumented>,
             fan_out_drain_round<kControl>, n, counter);
    the_system = nullptr;
  }
  benchmark::Shutdown();
  actorscope_stop();
  return 0;
}
