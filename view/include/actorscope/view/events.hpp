// The Events view-model: restarts, crashes, telemetry and node events, filtered, newest first.
#pragma once

#include <string>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

struct EventsQuery {
  uint32_t kinds = wire::kAllEventKinds;  // bit set of wire::kind_bit()
  std::string filter;                     // substring of name, text or kind
  NodeId node = 0;
};

// Kinds shown by default: what a person on call looks for first (telemetry, which can
// drown them, is one key away).
inline constexpr uint32_t kInterestingEvents =
    wire::kind_bit(wire::EventKind::Crashed) | wire::kind_bit(wire::EventKind::Restarted) |
    wire::kind_bit(wire::EventKind::Exited) | wire::kind_bit(wire::EventKind::NodeUp) |
    wire::kind_bit(wire::EventKind::NodeDown) | wire::kind_bit(wire::EventKind::Command);

// One line describing an event's outcome: "error: boom", "restarted by 12: error: boom",
// "db.query = 12".
// With a replica, the supervisor of a restart is named rather than numbered.
std::string describe(const wire::Event& e, const Replica* replica = nullptr);

class EventsList {
 public:
  bool update(const Replica& replica, const EventsQuery& query);
  size_t size() const { return rows_.size(); }
  const std::vector<const wire::Event*>& rows() const { return rows_; }  // newest first

 private:
  const Replica* replica_ = nullptr;
  uint64_t version_ = ~0ull;
  EventsQuery query_;
  bool built_ = false;
  std::vector<const wire::Event*> rows_;
};

}  // namespace actorscope::view
