// A generated actor system fed straight into a replica: for trying the viewers without an
// app, for benchmarks at a million actors without a network in the way, and for tests.
// It is the living specification of the panels: every state a panel can show appears.
//
// What it shows, and where:
//   tree      supervisors of every strategy, a group of identical sessions, restart budgets
//             unused (normal), partly used (warn) and used up (critical), restarted actors
//   actors    mailboxes empty, deep (warn) and growing past critical (the slow consumer);
//             an actor known by its child id only, one by its id only, one restarting
//   events    crashes with reasons, restarts naming their supervisor, telemetry, node up
//   telemetry measurements with histograms (percentiles) and one without (an older collector)
//   warnings  one warning per collector severity: critical, warning, info
//   overview  totals with history; the series requests answer an hour of points
//   flow      the shop's pipeline, listener to audit log, rates falling along it, the audit
//             writer's backlog critical (rows once a second, as the collector sends them)
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

struct SyntheticSettings {
  uint64_t actors = 1000;          // workers, spread over supervisors
  uint32_t nodes = 1;              // apps (nodes) watched at once
  uint32_t stats_per_tick = 4096;  // actors whose stats change per tick (the rest stay put)
  uint32_t tick_ms = 100;          // like the collector's delta rate
  uint64_t seed = 7;               // the same seed makes the same system
};

class SyntheticSystem {
 public:
  explicit SyntheticSystem(SyntheticSettings settings = {});
  const Replica& replica() const { return replica_; }
  Replica& replica() { return replica_; }
  const SyntheticSettings& settings() const { return settings_; }

  // Advances one collector tick now: stats, crashes and restarts, telemetry, warnings.
  void tick();
  // Advances one tick when tick_ms passed since the last; true when it did.
  bool tick_if_due();
  // One line for a status bar.
  std::string status() const;

  // Requests, answered at once into the replica (detail(), series(), command()); each
  // returns its request id.
  uint64_t request_detail(ActorKey actor);
  uint64_t request_series(NodeId node, pv::Metric metric, uint32_t seconds);
  uint64_t request_kill(ActorKey actor);

  // Actors of interest, for tests and benchmarks.
  ActorKey slow_consumer() const { return slow_; }

 private:
  uint64_t spawn(NodeId node, uint64_t parent, const std::string& name, const std::string& type,
                 proto::ActorKind kind, proto::Strategy strategy, const std::string& child_id = {});
  void build_node(NodeId node);
  void crash_and_restart(const ActorKey& w, uint64_t now);
  void send_flow(std::uniform_real_distribution<double>& unit,
                 const std::map<std::pair<NodeId, std::string>, std::pair<uint64_t, uint64_t>>& backlog);

  SyntheticSettings settings_;
  Replica replica_;
  std::mt19937_64 rng_;
  uint64_t next_actor_ = 1;
  uint64_t next_seq_ = 1;
  uint64_t next_request_ = 1;
  uint64_t ticks_ = 0;
  std::vector<ActorKey> workers_;
  ActorKey slow_{};
  ActorKey restarting_{};
  std::chrono::steady_clock::time_point last_tick_{};
};

}  // namespace actorscope::view
