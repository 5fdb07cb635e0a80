// Tick calibration and the time anchor shared by every record the agent sends.
#include "clock.hpp"

#include <time.h>

#include <atomic>
#include <mutex>

#include "actorscope/agent.h"
#include "actorscope/protocol/messages.hpp"

// Histogram bounds in ticks. Until calibration, one tick is taken as one ns.
extern "C" {
uint64_t actorscope__bucket_ticks[ACTORSCOPE_HIST_BUCKETS - 1] = {
    10'000, 50'000, 100'000, 500'000, 1'000'000, 10'000'000, 100'000'000, 1'000'000'000, 5'000'000'000,
};
}

extern "C" uint64_t actorscope__now_fallback(void) { return actorscope::agent::mono_ns(); }

namespace actorscope::agent {
namespace {
static_assert(proto::kHistogramBuckets == ACTORSCOPE_HIST_BUCKETS);
std::once_flag g_calibrated;
std::atomic<double> g_ns_per_tick{1.0};
std::once_flag g_anchored;
uint64_t g_anchor_mono = 0;
uint64_t g_anchor_wall = 0;

uint64_t read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}
}  // namespace

uint64_t mono_ns() { return read_clock(CLOCK_MONOTONIC); }
uint64_t wall_ns() { return read_clock(CLOCK_REALTIME); }

void calibrate_ticks() {
  std::call_once(g_calibrated, [] {
#if defined(__x86_64__) || defined(__i386__)
    // Two samples 5 ms apart; the TSC is invariant on every x86-64 this targets.
    uint64_t t0 = actorscope_now(), n0 = mono_ns();
    timespec pause{0, 5'000'000};
    nanosleep(&pause, nullptr);
    uint64_t t1 = actorscope_now(), n1 = mono_ns();
    double ns_per_tick = (t1 > t0 && n1 > n0) ? double(n1 - n0) / double(t1 - t0) : 1.0;
#else
    double ns_per_tick = 1.0;  // the fallback clock counts ns
#endif
    g_ns_per_tick.store(ns_per_tick);
    // Written once, before any handle exists (actorscope_spawn returns NULL until start).
    for (size_t i = 0; i < proto::kHistogramBoundsNs.size(); ++i)
      actorscope__bucket_ticks[i] = static_cast<uint64_t>(double(proto::kHistogramBoundsNs[i]) / ns_per_tick);
  });
}

uint64_t ticks_to_ns(uint64_t ticks) {
  return static_cast<uint64_t>(double(ticks) * g_ns_per_tick.load(std::memory_order_relaxed));
}

void set_anchor_once() {
  std::call_once(g_anchored, [] {
    g_anchor_mono = mono_ns();
    g_anchor_wall = wall_ns();
  });
}
uint64_t anchor_mono_ns() { return g_anchor_mono; }
uint64_t anchor_wall_ns() { return g_anchor_wall; }
uint64_t since_anchor_ns() {
  uint64_t now = mono_ns();
  return now > g_anchor_mono ? now - g_anchor_mono : 0;
}

}  // namespace actorscope::agent
