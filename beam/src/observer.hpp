// What actorscope-beam knows about one BEAM node, and the schedule that keeps it fresh:
// the supervision walk, the time-budgeted process scan, VM statistics and restart reports,
// turned into agent-protocol records.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "collector_link.hpp"
#include "target.hpp"

namespace actorscope::beam {

struct ObserverSettings {
  unsigned tick_ms = 100;             // one round of work, then idle until the next
  unsigned scan_budget_ms = 20;       // wall time per tick spent waiting on scan batches
  unsigned scan_interval_ms = 2000;   // a full process scan starts at most this often; up to 4x
                                      // that while scans find nothing new (quiet node)
  unsigned scan_duty_percent = 5;     // and no more often than its time on the node allows: a
                                      // scan that kept the node busy B ms waits B*100/this (0: off)
  unsigned tree_interval_ms = 5000;   // supervision walk, besides after restarts and scans that
                                      // found new processes; up to 8x that while nothing changes
  unsigned vm_interval_ms = 1000;     // VM statistics
  unsigned max_batch = 5000;          // processes per scan request, at most
  unsigned max_supervisors = 20000;   // supervisors walked per pass, at most
  unsigned quiet_ms = 30000;          // a supervisor that timed out is not asked again before
};

// What the observer has done, for the log and for the cost it reports.
struct ObserverCounters {
  uint64_t scans = 0;                 // full scans completed
  uint64_t last_scan_processes = 0;
  double last_scan_seconds = 0;
  uint64_t walks = 0;
  uint64_t restarts_reported = 0;     // from supervisor reports
  uint64_t restarts_inferred = 0;     // from which_children differences
  uint64_t timeouts = 0;
  double own_reductions_per_s = 0;    // reductions the relay spent on the target
  uint64_t next_scan_wait_ms = 0;     // from the last scan's start to the next one's
  uint64_t first_sight_wait_us = 0;   // asking new processes' full items: request and reply
  uint64_t first_sight_read_us = 0;   // ... and reading the replies
};

class NodeObserver {
 public:
  NodeObserver(Target& target, CollectorLink& link, ObserverSettings settings)
      : target_(target), link_(link), settings_(settings) {}

  // Forget everything (a new incarnation of the node).
  void reset();
  // The collector (re)connected: describe everything known in one snapshot.
  void send_snapshot();
  // One round of work. False when the node was lost (error says why).
  bool tick(std::string& error);
  const ObserverCounters& counters() const { return counters_; }
  size_t live_processes() const { return procs_.size(); }

 private:
  // One process; kept small, since a node may have a million of them.
  struct Process {
    Pid pid{};
    uint64_t parent = 0;
    std::string name;
    std::string child_id;
    uint32_t type = 0;            // index into types_
    proto::ActorKind kind = proto::ActorKind::Worker;
    proto::RestartType restart = proto::RestartType::Permanent;
    proto::Strategy strategy = proto::Strategy::None;
    uint32_t intensity = 0;
    uint32_t period_ms = 0;
    bool supervised = false;      // placed by the walk
    bool flags_read = false;      // supervisors: strategy/intensity/period asked once
    bool announced = false;       // ActorSpawned sent on the current collector connection
    bool described = false;       // its full items (initial call, links, monitors) were read
    bool stats_dirty = true;
    uint64_t mailbox = 0;
    uint64_t reductions = 0;      // cumulative, as the node counts them
    uint64_t reductions_base = 0; // at first sight: the figures start at attach
    uint64_t restarts = 0;        // supervisors: restarts seen
    uint64_t last_seen_ms = 0;
    // Links and monitors as read with the full items: actor ids, kMonitorTie set on the
    // processes it monitors.
    std::vector<uint64_t> ties;
  };
  static constexpr uint64_t kMonitorTie = uint64_t{1} << 63;
  // What a supervisor needs besides its Process.
  struct SupervisorData {
    std::unordered_map<std::string, uint64_t> children;  // static child id -> actor
    std::unordered_map<std::string, proto::RestartType> restart_types;
    uint64_t quiet_until_ms = 0;  // it did not answer: not asked again before this
  };

  bool walk(std::string& error);
  // `after_report`: this supervisor just reported a failure, so siblings whose pid changed
  // were restarted along with the failed child (reason shutdown), not inferred restarts.
  bool walk_supervisor(uint64_t sup, std::vector<uint64_t>& queue, std::string& error, bool after_report = false);
  bool scan_step(uint64_t budget_ms, std::string& error);
  bool vm_stats(std::string& error);
  bool handle_reports(std::string& error);
  void finish_scan();
  // What a process is asked once, at first sight (pinfo).
  struct FullItems {
    std::string initial, dict_initial, current;  // "m:f/a", proc_lib's module, a module
    std::vector<Pid> links, monitors;
  };
  bool read_full_batch(const std::string& raw, int at, uint64_t now);
  void absorb_full(const Pid& pid, const FullItems& f, uint64_t now);
  bool describe_new(std::vector<Pid>& pids, std::string& error);
  void absorb_scan(const Pid& pid, uint64_t mailbox, uint64_t reductions, const char* registered, uint64_t now,
                   std::vector<Pid>& unknown);
  bool read_scan_batch(const std::string& raw, int at, bool& done, size_t& seen, uint64_t now, std::vector<Pid>& unknown);

  Process& ensure(const Pid& pid, uint64_t now, bool& created);
  void set_identity(uint64_t id, Process& p, uint64_t parent, const std::string& type,
                    const std::string& child_id, proto::ActorKind kind);
  uint32_t type_index(const std::string& type);
  void announce(uint64_t id, Process& p);
  void send_stats(uint64_t id, Process& p);
  void send_ties(uint64_t id, const Process& p);
  void exited(uint64_t id, proto::ExitReason reason, const std::string& text);
  void restarted(uint64_t sup, const std::string& child_id, uint64_t old_id, uint64_t new_id,
                 proto::ExitReason reason, const std::string& text);
  bool linked() const { return link_.connected(); }
  static uint64_t now_us();
  void scan_soon();

  Target& target_;
  CollectorLink& link_;
  ObserverSettings settings_;
  ObserverCounters counters_;
  std::unordered_map<uint64_t, Process> procs_;
  std::unordered_map<uint64_t, SupervisorData> sups_;
  std::vector<std::string> types_{""};
  std::unordered_map<std::string, uint32_t> type_ids_{{"", 0}};
  std::unordered_set<uint64_t> pending_;   // found by the scan, announced when it ends
  std::unordered_set<uint64_t> rewalk_;    // supervisors to ask again soon (after a report)

  bool scanning_ = false;
  uint64_t scan_started_ms_ = 0;
  uint64_t scan_processes_ = 0;
  unsigned batch_ = 256;
  std::string scan_reply_;  // the last scan batch as it came (reused: no allocation per batch)
  std::string full_reply_;  // the last first-sight batch, likewise
  int scan_at_ = 0;
  uint64_t last_walk_ms_ = 0;
  uint64_t last_vm_ms_ = 0;
  uint64_t snapshot_id_ = 0;
  bool loaded_ = false;                    // run queues long: scan slower
  // Adapting to what changed: a scan that found no new or gone process and no mailbox that
  // moved is quiet, and the next waits longer (scan_backoff_: a shift of scan_interval_ms);
  // a walk that changed nothing likewise (walk_backoff_). The node's process count moving
  // between scans, or a restart report, brings them back to the base intervals.
  unsigned scan_backoff_ = 0;
  unsigned walk_backoff_ = 0;
  bool scan_changed_ = false;
  bool tree_changed_ = false;
  uint64_t scan_busy_us_ = 0;              // the current scan's batches: time waiting on the node
  uint64_t next_scan_ms_ = 0;              // the next scan starts no sooner
  uint64_t duty_wait_ms_ = 0;              // the last scan's cost, as the wait it calls for
  int64_t scan_live_ = -1;                 // processes alive after the last scan

  // previous VM readings, for rates
  uint64_t prev_vm_ms_ = 0;
  int64_t prev_reductions_ = -1, prev_gcs_ = 0, prev_reclaimed_ = 0, prev_own_reductions_ = 0;
  int64_t prev_sched_active_ = 0, prev_sched_total_ = 0;
};

}  // namespace actorscope::beam
