// actorscope-loadgen: a synthetic actor system for tests, demos and scale runs; prints its exact counts.
#include <signal.h>
#include <time.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <thread>

#include "Options.hpp"
#include "Workload.hpp"
#include "actorscope/agent.h"

namespace {

// Waits until the agent has completed two more flushes, so that everything recorded so far
// has been handed to the connection (one flush may already have been under way).
void wait_for_flush() {
  if (!actorscope_enabled()) return;
  actorscope_stats s;
  actorscope_get_stats(&s);
  uint64_t target = s.flushes + 2;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    actorscope_get_stats(&s);
    if (s.flushes >= target) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::fprintf(stderr, "actorscope-loadgen: the agent did not flush within 10 s\n");
}

void print_counts(const loadgen::Counts& c) {
  actorscope_stats s{};
  actorscope_get_stats(&s);
  uint64_t dropped = 0;
  for (uint64_t d : s.dropped) dropped += d;
  std::printf(
      "loadgen: actors_alive=%" PRIu64 " supervisors=%" PRIu64 " workers=%" PRIu64 " restarts=%" PRIu64
      " crashes=%" PRIu64 " escalations=%" PRIu64 " messages_sent=%" PRIu64 " messages_processed=%" PRIu64
      " dead_letters=%" PRIu64 " telemetry=%" PRIu64 " dropped=%" PRIu64 " dropped_restart=%" PRIu64
      " dropped_link=%" PRIu64 " dropped_telemetry=%" PRIu64 " dropped_stats=%" PRIu64 " dropped_string=%" PRIu64
      " dropped_other=%" PRIu64 "\n",
      c.supervisors + c.workers, c.supervisors, c.workers, c.restarts, c.crashes, c.escalations, c.messages_sent,
      c.messages_processed, c.dead_letters, c.telemetry, dropped, s.dropped[0], s.dropped[1], s.dropped[2],
      s.dropped[3], s.dropped[4], s.dropped[5]);
  std::fflush(stdout);
  std::fprintf(stderr,
               "actorscope-loadgen: spawned %" PRIu64 " actors in %.3f s (%.0f actors/s); traffic took %.3f s; "
               "agent connects=%" PRIu64 " connected=%" PRIu64 " bytes_sent=%" PRIu64 " agent_bytes=%" PRIu64 "\n",
               c.supervisors + c.workers, c.spawn_seconds,
               c.spawn_seconds > 0 ? static_cast<double>(c.supervisors + c.workers) / c.spawn_seconds : 0.0,
               c.run_seconds, s.connects, s.connected, s.bytes_sent, s.agent_bytes);
}

// Keeps the process (and so its actors) alive for `seconds`, 0 = until SIGINT or SIGTERM.
void stay(const sigset_t& signals, double seconds) {
  if (seconds <= 0) {
    int sig = 0;
    sigwait(&signals, &sig);
    return;
  }
  timespec ts;
  ts.tv_sec = static_cast<time_t>(seconds);
  ts.tv_nsec = static_cast<long>((seconds - static_cast<double>(ts.tv_sec)) * 1e9);
  sigtimedwait(&signals, nullptr, &ts);
}

}  // namespace

int main(int argc, char** argv) {
  loadgen::Options o;
  int parsed = loadgen::parse_options(argc, argv, o);
  if (parsed == 1) return 0;
  if (parsed != 0) return 2;
  if (o.actors == 0 && !o.slow_consumer && o.messages != 0) {
    std::fprintf(stderr, "actorscope-loadgen: --actors 0 leaves nobody to send to; give --messages 0 or --slow-consumer\n");
    return 2;
  }

  // With --stay, SIGINT/SIGTERM end the stay: block them in every thread (the agent's
  // included, so start it afterwards) and wait for them explicitly.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (o.stay) pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  actorscope_config config;
  actorscope_config_init(&config);
  if (!o.collector.empty()) config.collector = o.collector.c_str();
  if (!o.node.empty()) config.node = o.node.c_str();
  if (!o.token_file.empty()) config.token_file = o.token_file.c_str();
  config.flush_ms = o.flush_ms;
  if (actorscope_start(&config) != 0)
    std::fprintf(stderr, "actorscope-loadgen: running without the agent\n");

  loadgen::Counts counts = loadgen::run_workload(o);
  if (o.stay) {
    wait_for_flush();
    print_counts(counts);
    stay(signals, o.stay_s);
    actorscope_stop();
  } else {
    actorscope_stop();  // its final flush sends what is left
    print_counts(counts);
  }
  return 0;
}
