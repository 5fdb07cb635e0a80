// actorscope-loadgen: a synthetic actor system for tests, demos and scale runs; prints its exact counts.
#include <signal.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <thread>

#include "options.hpp"
#include "workload.hpp"
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

void print_counts(const loadgen::Counts& c, const std::vector<loadgen::TrafficEdge>& traffic) {
  actorscope_stats s{};
  actorscope_get_stats(&s);
  uint64_t dropped = 0;
  for (uint64_t d : s.dropped) dropped += d;
  std::printf(
      "loadgen: actors_alive=%" PRIu64 " supervisors=%" PRIu64 " workers=%" PRIu64 " restarts=%" PRIu64
      " crashes=%" PRIu64 " escalations=%" PRIu64 " messages_sent=%" PRIu64 " messages_processed=%" PRIu64
      " dead_letters=%" PRIu64 " telemetry=%" PRIu64 " dropped=%" PRIu64 " dropped_restart=%" PRIu64
      " dropped_link=%" PRIu64 " dropped_telemetry=%" PRIu64 " dropped_stats=%" PRIu64 " dropped_string=%" PRIu64
      " dropped_other=%" PRIu64,
      c.supervisors + c.workers, c.supervisors, c.workers, c.restarts, c.crashes, c.escalations, c.messages_sent,
      c.messages_processed, c.dead_letters, c.telemetry, dropped, s.dropped[0], s.dropped[1], s.dropped[2],
      s.dropped[3], s.dropped[4], s.dropped[5]);
  for (const loadgen::TrafficEdge& e : traffic)
    std::printf(" sent_%s>%s=%" PRIu64, e.from.c_str(), e.to.c_str(), e.sent);
  std::printf("\n");
  std::fflush(stdout);
  std::fprintf(stderr,
               "actorscope-loadgen: spawned %" PRIu64 " actors in %.3f s (%.0f actors/s); traffic took %.3f s; "
               "agent connects=%" PRIu64 " connected=%" PRIu64 " bytes_sent=%" PRIu64 " agent_bytes=%" PRIu64 "\n",
               c.supervisors + c.workers, c.spawn_seconds,
               c.spawn_seconds > 0 ? static_cast<double>(c.supervisors + c.workers) / c.spawn_seconds : 0.0,
               c.run_seconds, s.connects, s.connected, s.bytes_sent, s.agent_bytes);
}

// Takes SIGINT/SIGTERM for the whole process (blocked in every other thread): the first
// one stops the workload, or ends the stay.
class SignalWatcher {
 public:
  explicit SignalWatcher(const sigset_t& signals)
      : thread_([this, signals] {
          timespec step{0, 50'000'000};
          while (!done_.load())
            if (sigtimedwait(&signals, nullptr, &step) > 0) {
              loadgen::request_stop();
              return;
            }
        }) {}
  ~SignalWatcher() {
    done_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Keeps the process (and so its actors) alive for `seconds`, 0 = until SIGINT or SIGTERM.
void stay(double seconds) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!loadgen::stop_requested() && (seconds <= 0 || std::chrono::steady_clock::now() < end))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
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

  // SIGINT/SIGTERM stop the workload (or end the stay) and still print the counts: block
  // them in every thread (the agent's included, so start it afterwards); one thread takes them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  SignalWatcher watcher(signals);

  actorscope_config config;
  actorscope_config_init(&config);
  if (!o.collector.empty()) config.collector = o.collector.c_str();
  if (!o.node.empty()) config.node = o.node.c_str();
  if (!o.token_file.empty()) config.token_file = o.token_file.c_str();
  config.flush_ms = o.flush_ms;
  // Kill commands are carried out once the traffic ended (--stay); the agent refuses them
  // unless ACTORSCOPE_ALLOW_COMMANDS=1.
  actorscope_set_command_handler(loadgen::kill_actor, nullptr);
  if (actorscope_start(&config) != 0)
    std::fprintf(stderr, "actorscope-loadgen: running without the agent\n");

  // A run whose every record must reach the collector starts once the agent is connected
  // (records made while disconnected are dropped, and counted, by design).
  if (o.wait_connected_s > 0) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.wait_connected_s);
    actorscope_stats st{};
    for (actorscope_get_stats(&st); !st.connected && std::chrono::steady_clock::now() < end; actorscope_get_stats(&st))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!st.connected) std::fprintf(stderr, "actorscope-loadgen: not connected after %.1f s; starting anyway\n", o.wait_connected_s);
  }
  std::thread known;
  if (!o.traffic.empty())
    known = std::thread([&o] { loadgen::run_known_traffic(o.traffic, o.duration_s, loadgen::stop_requested); });
  loadgen::Counts counts = loadgen::run_workload(o);
  if (known.joinable()) known.join();
  if (o.stay) {
    wait_for_flush();
    print_counts(counts, o.traffic);
    stay(o.stay_s);
    actorscope_stop();
  } else {
    actorscope_stop();  // its final flush sends what is left
    print_counts(counts, o.traffic);
  }
  return 0;
}
