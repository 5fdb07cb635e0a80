// Filtering of the replica's recent events.
#include "actorscope/view/events.hpp"

#include <algorithm>
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

namespace {
// A supervisor's restart of a child, or a child it stopped (reason shutdown) on the way.
uint64_t cascade_supervisor(const pv::Event& e) {
  if (e.not_sent > 0) return 0;
  if (e.kind == pv::EventKind::Restarted) return e.supervisor;
  if (e.kind == pv::EventKind::Exited && e.reason == proto::ExitReason::Shutdown) return e.supervisor;
  return 0;
}
}  // namespace

std::string cascade_text(const Cascade& c, const Replica& replica) {
  if (c.supervisor == 0) {  // a subtree stopped: its actors had many parents
    std::string out = format_count(c.events) + " actors stopped (shutdown)";
    if (c.cause)
      out += " after " + event_name(*c.cause) + (proto::exit_is_clean(c.cause->reason) ? " exited: " : " crashed: ") +
             format_reason(c.cause->reason, c.cause->text);
    return out;
  }
  std::string sup = actor_name(replica, ActorKey{c.node, c.supervisor});
  if (!replica.actor(ActorKey{c.node, c.supervisor}))
    if (std::string former = replica.former_name(ActorKey{c.node, c.supervisor}); !former.empty()) sup = former;
  std::string out = sup + " restarted " + format_count(c.restarts) + " children";
  if (c.cause)
    out += " after " + event_name(*c.cause) + (proto::exit_is_clean(c.cause->reason) ? " exited: " : " crashed: ") +
           format_reason(c.cause->reason, c.cause->text);
  return out + " (" + format_count(c.events) + " events)";
}

const Cascade* EventsList::cascade(size_t row) const {
  return row < cascade_of_.size() && cascade_of_[row] >= 0 ? &cascades_[static_cast<size_t>(cascade_of_[row])] : nullptr;
}

bool EventsList::toggle(size_t row) {
  const Cascade* c = cascade(row);
  if (!c) return false;
  const uint64_t seq = rows_[row]->seq;
  auto it = std::find(expanded_.begin(), expanded_.end(), seq);
  if (it == expanded_.end()) expanded_.push_back(seq);
  else expanded_.erase(it);
  built_ = false;  // the rows change at the next update
  return true;
}

bool EventsList::update(const Replica& replica, const EventsQuery& query) {
  bool same = built_ && replica_ == &replica && version_ == replica.version() && query.kinds == query_.kinds &&
              query.filter == query_.filter && query.node == query_.node && query.supervisor == query_.supervisor;
  if (same) return false;
  replica_ = &replica;
  version_ = replica.version();
  query_ = query;
  built_ = true;
  std::vector<const pv::Event*>& all = all_;
  all.clear();
  const auto& events = replica.events();
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const pv::Event& e = *it;
    if (e.not_sent > 0) {  // a gap: shown whatever the filter (what it held is not known)
      all.push_back(&e);
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
    all.push_back(&e);
  }
  // Runs of one supervisor's restarts and the stops that came with them fold into one row.
  rows_.clear();
  cascade_of_.clear();
  nested_.clear();
  cascades_.clear();
  std::vector<uint64_t> still_expanded;
  for (size_t i = 0; i < all.size();) {
    const uint64_t sup = cascade_supervisor(*all[i]);
    size_t j = i, restarts = 0;
    while (j < all.size() && all[j]->node == all[i]->node && sup != 0 && cascade_supervisor(*all[j]) == sup) {
      restarts += all[j]->kind == pv::EventKind::Restarted;
      ++j;
    }
    const bool stop = [](const pv::Event& e) {
      return e.not_sent == 0 && e.kind == pv::EventKind::Exited && e.reason == proto::ExitReason::Shutdown;
    }(*all[i]);
    if (restarts < kCascadeMinRestarts && stop) {
      // Else a run of stops on one node under many parents: a subtree stopped with its root.
      j = i;
      while (j < all.size() && all[j]->node == all[i]->node && all[j]->not_sent == 0 &&
             all[j]->kind == pv::EventKind::Exited && all[j]->reason == proto::ExitReason::Shutdown)
        ++j;
      if (j - i < kStopRunMin) j = i;
    } else if (restarts < kCascadeMinRestarts) {
      j = i;
    }
    if (j == i) {
      rows_.push_back(all[i]);
      cascade_of_.push_back(-1);
      nested_.push_back(0);
      ++i;
      continue;
    }
    Cascade c;
    c.node = all[i]->node;
    c.supervisor = restarts >= kCascadeMinRestarts ? sup : 0;
    c.restarts = restarts >= kCascadeMinRestarts ? restarts : 0;
    c.events = j - i;
    // The cause: the restart in the run that was not a stop (a crash's), else the crash just
    // below the run (older) of one of the supervisor's children.
    for (size_t k = i; k < j && !c.cause; ++k)
      if (all[k]->kind == pv::EventKind::Restarted && all[k]->reason != proto::ExitReason::Shutdown) c.cause = all[k];
    for (size_t k = j; k < all.size() && k < j + 4 && !c.cause; ++k)
      if (all[k]->node == c.node && all[k]->not_sent == 0 &&
          (c.supervisor == 0 ? (all[k]->kind == pv::EventKind::Crashed ||
                                (all[k]->kind == pv::EventKind::Restarted && !proto::exit_is_clean(all[k]->reason)))
                             : all[k]->supervisor == sup && all[k]->kind == pv::EventKind::Crashed))
        c.cause = all[k];
    c.expanded = std::find(expanded_.begin(), expanded_.end(), all[i]->seq) != expanded_.end();
    if (c.expanded) still_expanded.push_back(all[i]->seq);
    cascades_.push_back(c);
    rows_.push_back(all[i]);
    cascade_of_.push_back(static_cast<int32_t>(cascades_.size() - 1));
    nested_.push_back(0);
    if (c.expanded)
      for (size_t k = i; k < j; ++k) {
        rows_.push_back(all[k]);
        cascade_of_.push_back(-1);
        nested_.push_back(1);
      }
    i = j;
  }
  expanded_ = std::move(still_expanded);  // heads that left the list are forgotten
  return true;
}

}  // namespace actorscope::view
