// Filtering of the replica's recent events.
#include "actorscope/view/events.hpp"

#include <iterator>

#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::view {

namespace {
// What happened, without saying to whom (lists show the name in a column of its own).
std::string outcome(const pv::Event& e, const Replica* replica) {
  switch (e.kind) {
    case pv::EventKind::Exited:
    case pv::EventKind::Crashed: return format_reason(e.reason, e.text);
    case pv::EventKind::Restarted:
    {
      // The supervisor's name while it lives, the name it had once it is gone (its node may
      // have gone with it), its id only when the replica never knew it.
      std::string sup = std::to_string(e.supervisor);
      if (const Actor* a = replica ? replica->actor(ActorKey{e.node, e.supervisor}) : nullptr)
        sup = display_name(*a);
      else if (std::string former = replica ? replica->former_name(ActorKey{e.node, e.supervisor}) : std::string(); !former.empty())
        sup = former;
      return format_reason(e.reason, e.text) + " (by " + sup + ")";
    }
    case pv::EventKind::Telemetry: return e.name + " = " + e.text;
    default: return e.text;
  }
}
}  // namespace

std::string describe(const pv::Event& e, const Replica* replica) {
  switch (e.kind) {
    // A supervisor's recent events hold its children's: each says which one.
    case pv::EventKind::Exited:
    case pv::EventKind::Crashed:
    case pv::EventKind::Restarted: return event_name(e) + ": " + outcome(e, replica);
    default: return outcome(e, replica);
  }
}

std::string event_text(const pv::Event& e, const Replica* replica) {
  return e.kind == pv::EventKind::Telemetry ? e.text : outcome(e, replica);
}

std::string events_dropped_note(const Replica& replica) {
  if (replica.events_dropped() == 0) return {};
  std::string note = "older events dropped to stay within bounds:";
  const char* sep = " ";
  // Telemetry first: it is what a full log usually drops.
  static constexpr pv::EventKind kOrder[] = {
      pv::EventKind::Telemetry, pv::EventKind::Crashed, pv::EventKind::Restarted, pv::EventKind::Exited,
      pv::EventKind::Spawned,   pv::EventKind::NodeUp,  pv::EventKind::NodeDown,  pv::EventKind::Command,
      pv::EventKind::Warning};
  static_assert(std::size(kOrder) == pv::kEventKindCount);
  for (pv::EventKind k : kOrder) {
    uint64_t n = replica.events_dropped(k);
    if (n == 0) continue;
    note += sep;
    note += format_count(n) + " " + std::string(pv::name(k));
    sep = ", ";
  }
  return note;
}

std::string gap_text(const pv::Event& gap) {
  std::string digits = std::to_string(gap.not_sent), grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ' ';
    grouped += digits[i];
  }
  return "\u2026 " + grouped + (gap.not_sent == 1 ? " event" : " events") + " not shown \u2026";
}

bool EventsList::update(const Replica& replica, const EventsQuery& query) {
  bool same = built_ && replica_ == &replica && version_ == replica.version() && query.kinds == query_.kinds &&
              query.filter == query_.filter && query.node == query_.node && query.supervisor == query_.supervisor;
  if (same) return false;
  replica_ = &replica;
  version_ = replica.version();
  query_ = query;
  built_ = true;
  rows_.clear();
  const auto& events = replica.events();
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const pv::Event& e = *it;
    if (e.not_sent > 0) {  // a gap: shown whatever the filter (what it held is not known)
      rows_.push_back(&e);
      continue;
    }
    if (!(query.kinds & pv::kind_bit(e.kind))) continue;
    if (query.node != 0 && e.node != query.node) continue;
    if (query.supervisor.actor != 0 && (e.node != query.supervisor.node ||
                                        (e.supervisor != query.supervisor.actor && e.actor != query.supervisor.actor)))
      continue;
    if (!query.filter.empty() && !contains_folded(e.name, query.filter) && !contains_folded(e.text, query.filter) &&
        !contains_folded(pv::name(e.kind), query.filter))
      continue;
    rows_.push_back(&e);
  }
  return true;
}

}  // namespace actorscope::view
