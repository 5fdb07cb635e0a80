// The agent's one thread: wakes every flush period (or at a half-full ring) and streams.
#pragma once

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "actorscope/agent.h"
#include "connection.hpp"
#include "settings.hpp"
#include "thread_state.hpp"

namespace actorscope::agent {

class Flusher {
 public:
  Flusher(Settings s, uint64_t incarnation);
  void run();
  // Asks for a final flush, bounded by about a second, and a Goodbye.
  void request_stop();

 private:
  struct Recheck {  // counters sent last flush, re-read once to catch racing hooks
    actorscope_actor* cell;
    uint64_t enqueued, dequeued, busy_ticks;
    uint32_t depth, restarts;
  };

  void flush();
  void maybe_connect();
  void on_lost();
  void run_commands();
  void send_snapshot();
  void drain_lifecycle();
  void drain_rings(std::vector<ThreadState*>& threads, std::vector<ThreadState*>& orphans);
  void handle_ring_record(const std::vector<uint8_t>& rec);
  void emit_changed_stats(std::vector<ThreadState*>& threads);
  void emit_spawned(const actorscope_actor* a);
  void emit_stats(const actorscope_actor* a);
  void report_exit(actorscope_actor* a);
  void emit_type_totals(bool all);
  void emit_dropped();
  void log(const std::string& line);

  Settings s_;
  uint64_t incarnation_;
  Connection conn_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> stop_deadline_ns_{0};
  uint64_t flush_no_ = 0;
  uint64_t snapshot_id_ = 0;
  uint64_t last_heartbeat_ns_ = 0;
  uint64_t next_attempt_ns_ = 0;
  uint32_t backoff_ms_;
  std::string last_log_;  // one log line per state change, not per attempt
  std::mt19937_64 rng_;
  std::vector<actorscope_actor*> dirty_;
  std::vector<Recheck> recheck_, recheck_next_;
  std::vector<uint8_t> rec_buf_;
};

}  // namespace actorscope::agent
