// The agent's one thread: wakes every flush period (or at a half-full ring) and streams.
#pragma once

#include <atomic>
#include <cstdint>
#include <random>
#include <map>
#include <string>
#include <unordered_map>
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
  // One flush's lifecycle records, from the lifecycle list and every thread's ring, are
  // gathered first and sent in the order of the agent's clock: records of different
  // threads keep their causal order (a supervisor's restarts before its own exit).
  // A cut taken just before the lifecycle list is drained bounds what goes out: a ring
  // record made after it may concern a spawn not drained yet, and an exit made after it
  // may follow ring records not drained yet; both wait for the next flush. Spawns go at
  // once (sending a spawn early harms nothing).
  struct Pending {
    uint64_t t_ns;
    enum Kind : uint8_t { Spawn, SpawnOfExited, Exit, Ring } kind;
    actorscope_actor* cell;  // Spawn, SpawnOfExited, Exit
    size_t offset, size;     // Ring: the record's bytes in ring_bytes_; SpawnOfExited: offset = the record's time
  };
  void drain_lifecycle();
  void drain_rings(std::vector<ThreadState*>& threads, std::vector<ThreadState*>& orphans);
  void emit_pending(uint64_t cut_ns);
  void handle_ring_record(const uint8_t* rec, size_t size);
  void emit_changed_stats(std::vector<ThreadState*>& threads);
  void emit_spawned(const actorscope_actor* a, uint64_t t_ns);
  // Returns the restarts it reported (a supervisor's count, read once).
  uint64_t emit_stats(const actorscope_actor* a);
  void emit_snapshot_totals(const std::map<uint32_t, uint64_t>& live_restarts);
  void report_exit(actorscope_actor* a, uint64_t t_ns);
  void emit_type_totals(bool all);
  void emit_dropped();
  // Sampled flow from every thread's tables, and what the threads are handling now.
  void emit_flow(const std::vector<ThreadState*>& threads);
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
  std::vector<Pending> pending_, later_;
  std::vector<uint8_t> ring_bytes_, later_bytes_;
  // Cumulative counts since the agent started, sent in every snapshot so that a collector
  // that did not see them (it started later, or restarted) resumes the true totals.
  struct SupervisorTotal {
    uint64_t restarts = 0, escalations = 0;
  };
  std::map<uint32_t, SupervisorTotal> exited_supervisors_;  // by label (interned name, else child id; 0 unnamed)
  std::unordered_map<uint64_t, uint64_t> escalations_;      // live supervisors, by id
  std::map<uint32_t, uint64_t> telemetry_counts_;           // by interned event name
  uint8_t handling_sent_ = 0;  // actors in the last Handling sent (an empty one follows a non-empty one)
};

}  // namespace actorscope::agent
