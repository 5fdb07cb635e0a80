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
#include <vector>

#include "actorscope/protocol/messages.hpp"

namespace actorscope::beam::testing {

struct SinkActor {
  uint64_t parent = 0;
  std::string name, type, child_id;
  proto::ActorKind kind = proto::ActorKind::Worker;
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
};

class Sink {
 public:
  Sink();
  ~Sink();
  std::string address() const { return "tcp:127.0.0.1:" + std::to_string(port_); }
  SinkState state() const;
  // Polls until `pred` holds or the deadline passes; returns the last state seen via `out`.
  bool wait(const std::function<bool(const SinkState&)>& pred, int timeout_ms, SinkState* out = nullptr) const;

 private:
  void run();
  void serve(int fd);
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  SinkState state_;
  std::thread thread_;
};

// "<0.N.S>" of an actor id made by actorscope-beam (the reverse of its pid mapping).
std::string pid_of(uint64_t actor);

}  // namespace actorscope::beam::testing
