// Filtering of the replica's recent events.
#include "actorscope/view/events.hpp"

#include "actorscope/view/format.hpp"

namespace actorscope::view {

std::string describe(const wire::Event& e, const Replica* replica) {
  switch (e.kind) {
    case wire::EventKind::Exited:
    case wire::EventKind::Crashed: return format_reason(e.reason, e.text);
    case wire::EventKind::Restarted:
    {
      std::string sup = std::to_string(e.supervisor);
      if (const Actor* a = replica ? replica->actor(ActorKey{e.node, e.supervisor}) : nullptr)
        sup = a->row.name.empty() ? a->row.child_id : a->row.name;
      return format_reason(e.reason, e.text) + " (by " + sup + ")";
    }
    case wire::EventKind::Telemetry: return e.name + " = " + e.text;
    default: return e.text;
  }
}

bool EventsList::update(const Replica& replica, const EventsQuery& query) {
  bool same = built_ && replica_ == &replica && version_ == replica.version() && query.kinds == query_.kinds &&
              query.filter == query_.filter && query.node == query_.node;
  if (same) return false;
  replica_ = &replica;
  version_ = replica.version();
  query_ = query;
  built_ = true;
  rows_.clear();
  const auto& events = replica.events();
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const wire::Event& e = *it;
    if (!(query.kinds & wire::kind_bit(e.kind))) continue;
    if (query.node != 0 && e.node != query.node) continue;
    if (!query.filter.empty() && !contains_folded(e.name, query.filter) && !contains_folded(e.text, query.filter) &&
        !contains_folded(wire::name(e.kind), query.filter))
      continue;
    rows_.push_back(&e);
  }
  return true;
}

}  // namespace actorscope::view
