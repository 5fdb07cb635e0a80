// The collector's side of the viewer conversation: one Session per viewer, reading the Model
// on the server's loop thread, streaming a snapshot and then deltas (protocol/VIEWER.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actorscope/collector/model.hpp"
#include "actorscope/collector/server.hpp"
#include "actorscope/protocol/viewer.hpp"

namespace actorscope::serve {

struct ServeOptions {
  bool allow_commands = false;       // --allow-commands: accept kill requests (the agent must allow them too)
  std::string token;                 // the collector's token; commands need it, and need one set
  size_t chunk_bytes = proto::viewer::kDefaultChunkBytes;  // payload of one View frame
  uint8_t delta_hz = 10;             // deltas per second at most (a viewer may ask for fewer)
  size_t snapshot_fill_bytes = 6u << 20;  // snapshot frames are queued up to this level per tick
  size_t max_queue_bytes = 4u << 20;      // after its snapshot, a viewer queueing more is dropped
  size_t connection_bound_bytes = 8u << 20;  // the server's per-connection output bound
                                             // (ServerSettings::max_output_bytes): the two limits
                                             // above are kept below it
  size_t snapshot_events = 500;      // recent events sent with a snapshot
  size_t snapshot_incidents_per_node = 16;  // and each node's own last incidents, however old
  size_t events_per_tick = 2000;     // new events sent per delta at most (the rest follow)
  size_t max_events_scanned_per_frame = 50'000;  // events that one frame's requests may scan
                                                 // (text searches, detail); past it: "busy"
  uint64_t max_rebuilds = 2;         // past instants rebuilt at once, all viewers (each on a
                                     // thread of its own); past it a viewer is told "busy"
  uint64_t max_past_views = 8;       // viewers showing a past instant at once: each holds a
                                     // copy of the model of its instant; past it: refused
  uint64_t max_exports = 2;          // flight-recorder exports being pulled at once, all viewers:
                                     // each pins the history it started with; past it: refused
};

// Counters shared by every session of one collector.
struct ServeCounters {
  std::atomic<uint64_t> viewers{0};          // current
  std::atomic<uint64_t> viewers_total{0};
  std::atomic<uint64_t> viewers_dropped{0};  // fell behind: closed
  std::atomic<uint64_t> snapshots{0};
  std::atomic<uint64_t> resnapshots{0};      // the journal no longer reached back
  std::atomic<uint64_t> deltas{0};
  std::atomic<uint64_t> bytes_queued{0};
  std::atomic<uint64_t> commands_refused{0};  // refused or failed, by the collector or the agent
  std::atomic<uint64_t> commands_done{0};     // carried out by an agent
  std::atomic<uint64_t> requests_failed{0};
  std::atomic<uint64_t> collector_started_wall_ns{0};  // told to viewers in SnapshotBegin
  std::atomic<uint64_t> events_not_sent{0};  // events a viewer was told of as a gap (EventsGap), all viewers
  std::atomic<uint64_t> rebuilds_running{0};  // past instants being rebuilt now
  std::atomic<uint64_t> rebuilds_refused{0};  // asked for past max_rebuilds
  std::atomic<uint64_t> instants_shown{0};    // past instants shown to viewers
  std::atomic<uint64_t> rebuilds_from_shown{0};  // of them, rebuilt on from the instant shown before
  std::atomic<int64_t> past_views{0};         // viewers showing a past instant now (each holds its model)
  std::atomic<uint64_t> exports_running{0};   // flight-recorder exports being pulled now
  std::atomic<uint64_t> exports_started{0};
  std::atomic<uint64_t> exports_refused{0};   // asked for past max_exports
};

// Makes the session of one viewer (used by install(); tests drive it with their own
// Connection).
std::unique_ptr<collector::Session> make_session(collector::Connection& conn, const collector::Model& model,
                                                 const ServeOptions& options,
                                                 std::shared_ptr<ServeCounters> counters);

// Registers the viewer factory on the server. Call before Server::start(). The returned
// counters live as long as any session.
std::shared_ptr<ServeCounters> install(collector::Server& server, collector::Model& model, const ServeOptions& options);

}  // namespace actorscope::serve
