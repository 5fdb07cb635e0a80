// Full process scans of 100 000 and 1 000 000 processes: actorscope-beam's relay (nothing
// loaded on the node) side by side with observer's process tab and recon's proc_count/2, on
// the same node in the same run. Counters: reductions and CPU the scan cost the node.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "nodes.hpp"
#include "observer.hpp"
#include "target.hpp"

using namespace actorscope::beam;
using namespace actorscope::beam::testing;

namespace {

Scratch& scratch() {
  static Scratch s;
  return s;
}

// One node per size, started once: N idle processes on top of the node's own.
Node& node_with(int64_t n) {
  static std::map<int64_t, std::unique_ptr<Node>> nodes;
  auto& slot = nodes[n];
  if (!slot) {
    slot = Node::erlang(scratch(), {}, {"+P", "2000000", "-pa", ACTORSCOPE_BENCH_EBIN});
    slot->eval("actorscope_bench_peers:spawn_idle(" + std::to_string(n) + ").", 600000);
  }
  return *slot;
}

// CPU seconds the node's OS process has used (user + system).
double node_cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int64_t relay_reductions(Target& t) {
  Term vm;
  std::string error;
  if (!t.call([](ei_x_buff& x) { ei_x_encode_atom(&x, "vm"); }, vm, error)) return 0;
  const Term* own = vm.get("own");  // {own, [{reductions, R}, {memory, M}]}
  const Term* r = own ? own->get("reductions") : nullptr;
  return r ? r->as_int() : 0;
}

std::string read_cookie() {
  std::ifstream f(scratch().cookie_file);
  std::string c;
  f >> c;
  return c;
}

void BM_BeamFullScan(benchmark::State& state) {
  Node& node = node_with(state.range(0));
  TargetOptions to;
  to.node = node.name();
  to.cookie = read_cookie();
  to.cookie_origin = scratch().cookie_file;
  to.call_timeout_ms = 60000;
  to.inner_timeout_ms = 5000;
  Target target(to);
  std::string error;
  if (!target.connect(error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  CollectorLink nowhere("tcp:127.0.0.1:1", "");  // never connected: records are not built
  ObserverSettings settings;
  settings.scan_interval_ms = 0;
  settings.scan_duty_percent = 0;  // back to back: each iteration is one whole scan
  settings.scan_budget_ms = 600000;  // one tick runs the whole scan: its full cost
  NodeObserver observer(target, nowhere, settings);
  // The attach's first scan also asks every process for its full items: timed apart.
  auto f0 = std::chrono::steady_clock::now();
  while (observer.counters().scans == 0)
    if (!observer.tick(error)) {
      state.SkipWithError(error.c_str());
      return;
    }
  state.counters["first_scan_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - f0).count();
  // Where the first scan's time goes: new processes' full items, asked (the node's work and
  // the transfer) and read by the C node; the rest is the scan itself and the walk.
  state.counters["first_pinfo_wait_s"] = static_cast<double>(observer.counters().first_sight_wait_us) / 1e6;
  state.counters["first_pinfo_read_s"] = static_cast<double>(observer.counters().first_sight_read_us) / 1e6;
  double reds = 0, cpu = 0, processes = 0;
  for (auto _ : state) {
    uint64_t before = observer.counters().scans;
    int64_t r0 = relay_reductions(target);
    double c0 = node_cpu_seconds(node.process().pid());
    auto t0 = std::chrono::steady_clock::now();
    while (observer.counters().scans == before)
      if (!observer.tick(error)) {
        state.SkipWithError(error.c_str());
        return;
      }
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cpu += node_cpu_seconds(node.process().pid()) - c0;
    reds += static_cast<double>(relay_reductions(target) - r0);
    processes = static_cast<double>(observer.counters().last_scan_processes);
  }
  state.counters["node_reductions"] = benchmark::Counter(reds, benchmark::Counter::kAvgIterations);
  state.counters["node_cpu_s"] = benchmark::Counter(cpu, benchmark::Counter::kAvgIterations);
  state.counters["processes"] = processes;
}

// A peer run on the node itself: {Micros, Reductions}.
void peer(benchmark::State& state, const char* which) {
  Node& node = node_with(state.range(0));
  double reds = 0, cpu = 0;
  for (auto _ : state) {
    double c0 = node_cpu_seconds(node.process().pid());
    std::string r = node.eval(std::string("actorscope_bench_peers:measure(") + which + ").", 600000);
    long long micros = 0, reductions = 0;
    if (std::sscanf(r.c_str(), "{%lld,%lld}", &micros, &reductions) != 2) {
      state.SkipWithError(("peer failed: " + r).c_str());
      return;
    }
    state.SetIterationTime(static_cast<double>(micros) / 1e6);
    cpu += node_cpu_seconds(node.process().pid()) - c0;
    reds += static_cast<double>(reductions);
  }
  state.counters["node_reductions"] = benchmark::Counter(reds, benchmark::Counter::kAvgIterations);
  state.counters["node_cpu_s"] = benchmark::Counter(cpu, benchmark::Counter::kAvgIterations);
}

void BM_ObserverProcessTab(benchmark::State& state) { peer(state, "observer"); }
void BM_ReconProcCount(benchmark::State& state) { peer(state, "recon"); }

}  // namespace

BENCHMARK(BM_BeamFullScan)->Arg(100000)->Arg(1000000)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ObserverProcessTab)->Arg(100000)->Arg(1000000)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReconProcCount)->Arg(100000)->Arg(1000000)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  ei_init();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
