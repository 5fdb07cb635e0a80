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

// A restart cascade (one_for_all, rest_for_one, a supervisor's own restart): the run of
// events in which one supervisor stopped and restarted its children, shown as one row that
// expands to them: "pool restarted 188 children after worker-922 crashed: error: fault".
struct Cascade {
  NodeId node = 0;
  uint64_t supervisor = 0;             // 0: a subtree stopped with its root (stops under many parents)
  size_t restarts = 0;                 // children restarted in the run
  size_t events = 0;                   // rows folded: its restarts and its children's exits
  const pv::Event* cause = nullptr;    // the crash that set it off (nullptr: not in the list)
  bool expanded = false;
};
inline constexpr size_t kCascadeMinRestarts = 2;  // fewer restarts in a run stay plain rows
inline constexpr size_t kStopRunMin = 8;          // a run of this many stops (shutdown) on one node folds too
// "pool restarted 188 children after worker-922 crashed: error: fault (377 events)".
std::string cascade_text(const Cascade& c, const Replica& replica);

class EventsList {
 public:
  bool update(const Replica& replica, const EventsQuery& query);
  size_t size() const { return rows_.size(); }
  const std::vector<const pv::Event*>& rows() const { return rows_; }  // newest first
  // Every event the query lets through, none folded (for exports), newest first.
  const std::vector<const pv::Event*>& events() const { return all_; }
  // The cascade a row heads (its first event is the row's), nullptr for other rows.
  const Cascade* cascade(size_t row) const;
  // The row is one of an expanded cascade's events, shown under its head.
  bool nested(size_t row) const { return row < nested_.size() && nested_[row]; }
  // Expands or folds the cascade that row heads; false when it heads none.
  bool toggle(size_t row);

 private:
  const Replica* replica_ = nullptr;
  uint64_t version_ = ~0ull;
  EventsQuery query_;
  bool built_ = false;
  std::vector<const pv::Event*> rows_;
  std::vector<const pv::Event*> all_;
  std::vector<int32_t> cascade_of_;    // per row: index into cascades_, -1: none
  std::vector<uint8_t> nested_;        // per row
  std::vector<Cascade> cascades_;
  std::vector<uint64_t> expanded_;     // heads' seqs the user expanded
};

}  // namespace actorscope::view
