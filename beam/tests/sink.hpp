// A stand-in collector for the tests: accepts agent connections and keeps what actorscope-beam
// said (actors, restarts, telemetry) using the protocol's own decoder.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "actorscope/protocol/messages.hpp"

namespace actorscope::beam::testing {

struct SinkActor {
  uint64_t parent = 0;
  std::string name, type, child_id;
  proto::ActorKind kind = proto::ActorKind::Worker;
  proto::RestartType restart = proto::RestartType::Permanent;
  proto::Strategy strategy = proto::Strategy::None;
  uint32_t intensity = 0, period_ms = 0;
  uint64_t mailbox = 0;
};

struct SinkRestart {
  uint64_t supervisor = 0;
  std::string child_id;
  uint64_t old_actor = 0, new_actor = 0;
  proto::ExitReason reason = proto::ExitReason::Unknown;
  std::string text;
};

struct SinkState {
  std::string node;
  int hellos = 0;
  int snapshots = 0;
  bool connected = false;
  uint64_t heartbeats = 0;
  std::map<uint64_t, SinkActor> actors;
  std::vector<SinkRestart> restarts;
  std::map<std::string, std::map<std::string, double>> telemetry;  // last values per event
  std::set<std::pair<uint64_t, uint64_t>> links;     // (a, b) as sent
  std::set<std::pair<uint64_t, uint64_t>> monitors;  // (a monitors b)
  std::map<uint32_t, double> gauges;  // node gauges, last value per proto::NodeGauge id
  uint64_t gauge_records = 0;
};

// Several agents may connect at once (one actorscope node per BEAM node): each node's
// records go to its own state, by the node name of its Hello.
class Sink {
 public:
  Sink();
  ~Sink();
  std::string address() const { return "tcp:127.0.0.1:" + std::to_string(port_); }
  // The first node that connected (the one node of most tests).
  SinkState state() const;
  // Every node by name.
  std::map<std::string, SinkState> nodes() const;
  // Polls until `pred` holds or the deadline passes; returns the last state seen via `out`.
  bool wait(const std::function<bool(const SinkState&)>& pred, int timeout_ms, SinkState* out = nullptr) const;
  bool wait_nodes(const std::function<bool(const std::map<std::string, SinkState>&)>& pred, int timeout_ms,
                  std::map<std::string, SinkState>* out = nullptr) const;

 private:
  void run();
  void serve(int fd);
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::map<std::string, SinkState> nodes_;
  std::string first_;
  std::thread thread_;
  std::vector<std::thread> connections_;
};

// "<0.N.S>" of an actor id made by actorscope-beam (the reverse of its pid mapping).
std::string pid_of(uint64_t actor);

}  // namespace actorscope::beam::testing
