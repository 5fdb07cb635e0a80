// The Detail view-model: one actor's counters, parent chain, links and recent events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

struct DetailModel {
  bool live = false;
  ActorKey key;
  pv::ActorRow row;
  pv::ActorStats stats;
  std::string name;                         // display_name() of the actor
  std::string node_name;
  double msgs_per_s = 0;                    // in rate_unit
  std::string_view rate_unit = "msg/s";     // "red/s" on a BEAM node
  std::string_view work_label = "processed";  // "reductions" on a BEAM node
  uint64_t work = 0;                        // messages processed, or reductions since attach
  uint64_t children = 0;
  uint64_t avg_processing_ns = 0;           // busy / processed (processing scopes that ended)
  std::vector<pv::ChainEntry> chain;      // parent first, from the replica; names are display names
  std::vector<pv::LinkEntry> links;       // from the collector's reply, when it came
  std::vector<pv::Event> recent_events;   // from the reply, else from the replica's events
  std::vector<double> mailbox_history;      // oldest first, one per tick
  bool reply_received = false;
  // The child it is, across its incarnations (from the collector's reply): restarts, last crash.
  std::optional<pv::ChildHistory> child;
  std::string child_text;                   // child_history_text() of it, "" without one
  // Message flow into it, from the collector's reply when its node reports flow (estimates
  // from sampled sends): what it is handling now, who sends to it, which message types.
  std::string handling_text;                // "handling write_batch for 2.5s", "" when not
  std::string senders_text;                 // "senders (sampled 1 in 32, rates over 10s): ingest-1 (ingest) ~990/s, …"
  std::string message_types_text;           // "message types: record ~1.0k/s, tick ~96/s"
};

// The flow lines of a reply (empty strings when it carries no flow).
void flow_texts(const pv::DetailReply& reply, std::string& handling, std::string& senders, std::string& types);

// "restarted 37×, last: error: malformed record 6951, 2 s ago" (`now_wall_ns`: the collector's
// last tick); "never restarted" when it was not; the last crash's reason class when the log no
// longer holds its text.
std::string child_history_text(const pv::ChildHistory& c, uint64_t now_wall_ns);

DetailModel detail(const Replica& replica, ActorKey key);
// Fills what the collector's detail reply tells (links, events, the child's history, the name
// and chain of an actor that is not live) from a reply a viewer kept for this actor.
void apply_reply(DetailModel& d, const Replica& replica, const pv::DetailReply& reply);

// The live actor a user names (--actor NAME|ID): by id when the text is a number that is an
// actor's id, else by name, else by child id; on `node` (0: any node). Several matches: the
// lowest node and id, so the same text picks the same actor. nullopt when none matches.
std::optional<ActorKey> find_actor(const Replica& replica, std::string_view name_or_id, NodeId node = 0);

}  // namespace actorscope::view
