// A generated actor system fed straight into a replica: for trying the GUI without an app,
// and for measuring frame time at a million actors without a network in the way.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "Feed.hpp"

namespace actorscope::gui {

struct SyntheticSettings {
  uint64_t actors = 1000;     // workers, spread over supervisors
  uint32_t nodes = 1;         // apps (nodes) watched at once
  uint32_t stats_per_tick = 4096;  // actors whose stats change per tick (the rest stay put)
  uint32_t tick_ms = 100;     // like the collector's delta rate
  uint64_t seed = 7;
};

class SyntheticFeed final : public Feed {
 public:
  explicit SyntheticFeed(SyntheticSettings settings);
  void poll() override;
  const view::Replica& replica() const override { return replica_; }
  std::string status() const override;
  bool connected() const override { return true; }
  uint64_t request_detail(view::ActorKey actor) override;
  uint64_t request_series(wire::NodeId node, wire::Metric metric, uint32_t seconds) override;
  uint64_t request_kill(view::ActorKey actor, const std::string& token) override;
  // Advances one tick now, whatever the clock says (benchmarks).
  void tick();

 private:
  struct Worker {
    wire::NodeId node;
    uint64_t actor;
  };
  void build_node(wire::NodeId node);
  uint64_t spawn(wire::NodeId node, uint64_t parent, const char* name, const char* type,
                 proto::ActorKind kind, proto::Strategy strategy);
  void crash_and_restart(const Worker& w, uint64_t now);

  SyntheticSettings settings_;
  view::Replica replica_;
  std::mt19937_64 rng_;
  uint64_t next_actor_ = 1;
  uint64_t next_seq_ = 1;
  uint64_t next_request_ = 1;
  uint64_t ticks_ = 0;
  std::vector<Worker> workers_;
  std::vector<Worker> supervisors_;
  Worker slow_{};
  std::chrono::steady_clock::time_point last_tick_{};
};

}  // namespace actorscope::gui
