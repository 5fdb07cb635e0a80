// Where the GUI's data comes from: a replica of the collector's model plus the requests a
// viewer can send. A live collector, an embedded one, or a generated actor system.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "actorscope/view/client.hpp"
#include "actorscope/view/replica.hpp"

namespace actorscope::gui {

namespace pv = ::actorscope::proto::viewer;  // the protocol's viewer conversation

class Feed {
 public:
  virtual ~Feed() = default;
  // Applies what arrived since the last call; once per frame, never blocks.
  virtual void poll() = 0;
  // Keeps the replica still while a frame reads it (a network feed updates it from its
  // own thread). Hold it for the whole frame, requests included.
  virtual std::unique_lock<std::mutex> hold() { return {}; }
  virtual const view::Replica& replica() const = 0;
  // One line for the status bar: where the data comes from and how the link is.
  virtual std::string status() const = 0;
  virtual bool connected() const = 0;
  // True when the collector accepts commands (the kill button is shown only then).
  virtual bool commands_allowed() const { return false; }
  // Readable when new data arrived (a renderer waits on it beside its input); -1 when the
  // feed has no such signal and must be polled. consume_update_signal() empties it.
  virtual int update_fd() const { return -1; }
  virtual void consume_update_signal() {}

  // Requests; each returns its request id (0 when it could not be sent). Replies land in
  // the replica (detail(), series(), command()).
  virtual uint64_t request_detail(view::ActorKey actor) = 0;
  virtual uint64_t request_series(pv::NodeId node, pv::Metric metric, uint32_t seconds) = 0;
  virtual uint64_t request_kill(view::ActorKey actor, const std::string& token) = 0;
  // The flow among a supervisor's child subtrees; lands in replica().subtree_flow(). A feed
  // without a collector sends nothing and returns 0.
  virtual uint64_t request_subtree_flow(view::ActorKey /*supervisor*/, uint32_t /*max_children*/) { return 0; }
  // The past, from the collector's flight recorder: show the instant `wall_ns` (Unix ns; 0:
  // live again); the answer lands in replica().instant(), the timeline in replica().timeline().
  // A feed without history (a generated system) sends nothing and returns 0.
  virtual uint64_t show_instant(uint64_t /*wall_ns*/) { return 0; }
  virtual uint64_t shown_instant() const { return 0; }  // what was last asked; 0: live
  virtual uint64_t request_timeline(uint64_t /*from_wall_ns*/, uint64_t /*to_wall_ns*/) { return 0; }
  // The collector's flight recorder written to `path` as a recording (view::Client::
  // start_export); false with a one-line error. A feed without history cannot.
  virtual bool start_export(const std::string& /*path*/, std::string& error) {
    error = "this view has no collector history to save";
    return false;
  }
  virtual view::ExportStatus export_status() const { return {}; }
};

}  // namespace actorscope::gui
