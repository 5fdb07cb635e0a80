// A tiny in-test collector: accepts agents on a unix socket or loopback TCP and decodes
// everything they send with the protocol codec, so tests can assert on what arrived.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "actorscope/protocol/codec.hpp"

namespace actorscope::testing {

struct SeenActor {
  proto::ActorSpawned spawned;
  std::string name, type, child_id;
};
struct SeenExit {
  proto::ActorExited exited;  // reason_inline cleared (it pointed into the frame): see text
  std::string text;           // the reason text, inline or interned
  bool inline_text = false;   // sent inline (not through a StringDef)
  uint64_t arrival = 0;       // its place among the exits and restarts received (Seen::lifecycle)
};
struct SeenRestart {
  proto::ChildRestarted restart;  // reason_inline cleared, as in SeenExit
  std::string child_id, text;
  bool inline_text = false;
  uint64_t arrival = 0;  // as in SeenExit
};
struct SeenTelemetry {
  uint64_t actor = 0;
  std::string event;
  std::map<std::string, double> measurements;
  std::map<std::string, std::string> metadata;
};

struct SeenHandling {
  uint64_t actor = 0;
  std::string type;
  uint64_t busy_ns = 0;
};

// Everything received, across connections (strings are resolved per connection).
struct Seen {
  std::vector<proto::Hello> hellos;
  std::map<uint64_t, SeenActor> actors;  // every actor ever spawned
  std::map<uint64_t, SeenExit> exits;
  std::vector<SeenRestart> restarts;
  uint64_t lifecycle = 0;  // exits and restarts received so far, across connections
  std::vector<proto::Link> links;
  std::vector<SeenTelemetry> telemetry;
  std::map<uint64_t, proto::ActorStats> stats;  // latest per actor
  std::map<std::string, proto::TypeTotals> totals;  // latest per type name
  proto::Dropped dropped;
  int snapshots_begun = 0, snapshots_ended = 0;
  uint64_t last_snapshot_announced = 0;     // SnapshotBegin.actors
  std::set<uint64_t> last_snapshot_actors;  // ActorSpawned inside the latest snapshot
  int heartbeats = 0, goodbyes = 0, connections = 0;
  std::vector<proto::CommandResult> command_results;
  std::vector<std::string> errors;  // decode errors: a correct agent causes none
  std::vector<std::string> string_defs;  // every StringDef's text, in order, across connections
  // Message flow: sampled sends by (from, to, message type name), summed over FlowEdges.
  std::map<std::tuple<uint64_t, uint64_t, std::string>, uint64_t> flow;
  uint64_t flow_unrecorded = 0;
  uint32_t flow_sample_every = 0;
  int flow_records = 0;
  std::vector<std::vector<SeenHandling>> handling;  // every Handling record, in order
};

class FakeCollector {
 public:
  enum class Transport { Unix, Tcp };
  explicit FakeCollector(Transport t = Transport::Unix, std::string unix_path = "");
  ~FakeCollector();

  // The address to give the agent: "unix:..." or "tcp:127.0.0.1:PORT".
  const std::string& address() const { return address_; }
  // Answer Hellos with a Reject carrying this message instead of a Welcome.
  void reject_with(std::string message) { reject_ = std::move(message); }
  // The capabilities a Welcome grants, of those the Hello asked for (default: commands only,
  // as a collector from before message flow).
  void grant(uint64_t capabilities) { grants_ = capabilities; }
  // Sends a Command frame to the connected agent (from the serving thread, soon).
  void send_command(const proto::Command& c);
  // Closes the current agent connection from the collector's side.
  void drop_connection();
  // From now on reads at most `bytes` every `every`: a slow collector, not a stalled one.
  void read_slowly(size_t bytes, std::chrono::milliseconds every) {
    read_every_ms_ = every.count();
    read_bytes_ = bytes;
  }

  // Polls pred under the lock until it holds or the timeout passes.
  bool wait_for(const std::function<bool(const Seen&)>& pred, std::chrono::seconds timeout = std::chrono::seconds(30));
  Seen seen();

 private:
  void serve();
  void handle(int fd);

  std::string dir_, address_, reject_;
  std::atomic<uint64_t> grants_{proto::kCapCommands};
  std::atomic<size_t> read_bytes_{0};  // 0: read as fast as it comes
  std::atomic<int64_t> read_every_ms_{0};
  int listen_fd_ = -1;
  std::atomic<int> conn_fd_{-1};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  Seen seen_;
  std::vector<proto::Command> to_send_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace actorscope::testing
