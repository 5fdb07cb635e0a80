// The Events view-model: restarts, crashes, telemetry and node events, filtered, newest first.
#pragma once

#include <string>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

struct EventsQuery {
  uint32_t kinds = pv::kAllEventKinds;  // bit set of pv::kind_bit()
  std::string filter;                     // substring of name, text or kind
  NodeId node = 0;
  ActorKey supervisor{};                  // actor 0: any; else its own events and those of the children it restarts
};

// Kinds shown by default: what a person on call looks for first (telemetry, which can
// drown them, is one key away).
inline constexpr uint32_t kInterestingEvents =
    pv::kind_bit(pv::EventKind::Crashed) | pv::kind_bit(pv::EventKind::Restarted) |
    pv::kind_bit(pv::EventKind::Exited) | pv::kind_bit(pv::EventKind::NodeUp) |
    pv::kind_bit(pv::EventKind::NodeDown) | pv::kind_bit(pv::EventKind::Command);

// One line saying what happened and to whom: "parser: error: boom",
// "w1: error: boom (by pool)", "w2: shutdown", "db.query = 12". An actor's recent events
// include its children's, so the actor is always named (event_name()).
// With a replica, the supervisor of a restart is named (display_name) rather than numbered.
std::string describe(const pv::Event& e, const Replica* replica = nullptr);
// What a list of events shows beside the event's name (event_name()): describe() without
// the name, and a telemetry event only its measurements (the name has a column of its own).
std::string event_text(const pv::Event& e, const Replica* replica = nullptr);

// What the viewer's bounded log no longer holds, by kind, for the line under a list of events
// ("older events dropped to stay within bounds: 1.4k telemetry, 3 exited"); empty when none
// were dropped. Lifecycle events and telemetry are bounded apart (ReplicaSettings).
std::string events_dropped_note(const Replica& replica);
// A gap row (pv::Event::not_sent > 0): events the collector did not send where the row is,
// "… 2 563 events not shown …". Lists keep gap rows whatever their filter.
std::string gap_text(const pv::Event& gap);

class EventsList {
 public:
  bool update(const Replica& replica, const EventsQuery& query);
  size_t size() const { return rows_.size(); }
  const std::vector<const pv::Event*>& rows() const { return rows_; }  // newest first

 private:
  const Replica* replica_ = nullptr;
  uint64_t version_ = ~0ull;
  EventsQuery query_;
  bool built_ = false;
  std::vector<const pv::Event*> rows_;
};

}  // namespace actorscope::view
