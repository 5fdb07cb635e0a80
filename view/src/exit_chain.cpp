// The exit-cause chain, walked over the replica's events: back from the event asked for to
// the crash that started it, then forward through what each supervisor did about it.
#include "actorscope/view/exit_chain.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <map>

#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/instant.hpp"

namespace actorscope::view {

namespace {

// One node's events in the order they happened there: by the agent's clock (one process, one
// clock), then by number. Numbering follows arrival, which an agent's per-thread buffers can
// shuffle within a flush (a child's crash numbered after its supervisor's escalation).
class Events {
 public:
  Events(const std::deque<pv::Event>& all, NodeId node) {
    for (const pv::Event& e : all)
      if (e.not_sent == 0 && e.node == node) ev_.push_back(&e);
    std::stable_sort(ev_.begin(), ev_.end(), [](const pv::Event* a, const pv::Event* b) { return a->wall_ns < b->wall_ns; });
  }
  const pv::Event& operator[](size_t i) const { return *ev_[i]; }
  size_t size() const { return ev_.size(); }
  std::optional<size_t> position(const pv::Event* e) const {
    for (size_t i = 0; i < ev_.size(); ++i)
      if (ev_[i] == e) return i;
    return std::nullopt;
  }

 private:
  std::vector<const pv::Event*> ev_;
};

constexpr std::string_view kEscalationText = "restart intensity exceeded";
// How far back a cause is looked for (events, and time): a cascade is a burst, not a day.
constexpr size_t kScanEvents = 20'000;
constexpr uint64_t kScanNs = 60'000'000'000ull;
// After the event asked for, the restarts that answer it come within this.
constexpr uint64_t kFollowNs = 10'000'000'000ull;

bool exit_kind(const pv::Event& e) { return e.kind == pv::EventKind::Exited || e.kind == pv::EventKind::Crashed; }

std::string supervisor_name(const Replica& r, NodeId node, uint64_t sup) {
  return sup == 0 ? std::string() : known_name(r, ActorKey{node, sup});
}

// The event with this seq (nullptr: not held).
const pv::Event* find_event(const std::deque<pv::Event>& ev, uint64_t seq) {
  auto it = std::lower_bound(ev.begin(), ev.end(), seq, [](const pv::Event& e, uint64_t s) { return e.seq < s; });
  if (it == ev.end() || it->seq != seq || it->not_sent > 0) return nullptr;
  return &*it;
}

// The nearest earlier event on the same node that `match` accepts, within the scan bounds.
template <class Match>
std::optional<size_t> find_before(const Events& ev, size_t from, Match match) {
  const pv::Event& start = ev[from];
  size_t looked = 0;
  for (size_t k = from; k-- > 0 && looked < kScanEvents; ++looked) {
    const pv::Event& e = ev[k];
    if (e.not_sent > 0 || e.node != start.node) continue;
    if (start.wall_ns > e.wall_ns + kScanNs) break;
    int m = match(e, k);
    if (m > 0) return k;
    if (m < 0) return std::nullopt;  // a boundary: nothing before it belongs
  }
  return std::nullopt;
}

std::optional<size_t> escalation_of(const Events& ev, size_t from, uint64_t sup) {
  return find_before(ev, from, [&](const pv::Event& e, size_t) { return is_escalation(e) && e.actor == sup ? 1 : 0; });
}

// One step back: the event that caused ev[cur], nullopt when none held explains it.
std::optional<size_t> cause_of(const Events& ev, size_t cur) {
  const pv::Event& e = ev[cur];
  if (e.kind == pv::EventKind::Restarted)  // a restart answers the child's exit
    return find_before(ev, cur, [&](const pv::Event& p, size_t) { return exit_kind(p) && p.actor == e.actor ? 1 : 0; });
  if (is_escalation(e)) {  // the crash that used up the budget (else the exit it answered)
    auto crash = find_before(ev, cur, [&](const pv::Event& p, size_t) {
      return p.kind == pv::EventKind::Crashed && p.supervisor == e.actor ? 1 : 0;
    });
    if (crash) return crash;
    return find_before(ev, cur, [&](const pv::Event& p, size_t) { return exit_kind(p) && p.supervisor == e.actor ? 1 : 0; });
  }
  // A normal exit is the actor's own doing; only a shutdown is someone else's.
  if (e.kind != pv::EventKind::Exited || e.reason != proto::ExitReason::Shutdown) return std::nullopt;
  // A supervisor that gave up exits with shutdown: its escalation explains it.
  if (auto esc = escalation_of(ev, cur, e.actor)) return esc;
  // A child its supervisor stopped: the sibling whose failure set the supervisor off (a crash,
  // or a child supervisor that gave up), or the supervisor's own giving up. A restart by that
  // supervisor before it ends the search: an earlier cascade is over.
  const uint64_t sup = e.supervisor;
  if (sup == 0) return std::nullopt;
  // The supervisors that gave up within reach, found in one pass (not one per sibling).
  std::set<uint64_t> gave_up;
  find_before(ev, cur, [&](const pv::Event& p, size_t) {
    if (is_escalation(p)) gave_up.insert(p.actor);
    return 0;
  });
  return find_before(ev, cur, [&](const pv::Event& p, size_t) {
    if (p.kind == pv::EventKind::Restarted && p.supervisor == sup) return -1;
    if (is_escalation(p) && p.actor == sup) return 1;
    if (p.supervisor != sup || p.actor == e.actor) return 0;
    if (p.kind == pv::EventKind::Crashed) return 1;
    if (p.kind == pv::EventKind::Exited && gave_up.count(p.actor)) return 1;
    return 0;
  });
}

// The budget a supervisor had: from the supervisor while it lives, else from a live one of the
// same name on its node (its next incarnation), else from the escalation's own words.
void budget_of(const Replica& r, const pv::Event& esc, uint32_t& intensity, uint32_t& period_ms) {
  const Actor* s = r.actor(ActorKey{esc.node, esc.actor});
  if (!s && !esc.name.empty())
    for (const Actor& a : r.actors())
      if (a.row.node == esc.node && a.is_supervisor() && display_name(a) == esc.name) {
        s = &a;
        break;
      }
  if (s && s->row.intensity > 0) {
    intensity = s->row.intensity;
    period_ms = s->row.period_ms;
    return;
  }
  unsigned n = 0;
  double secs = 0;
  if (std::sscanf(esc.text.c_str(), "restart intensity exceeded: more than %u restarts in %lf s", &n, &secs) == 2) {
    intensity = n;
    period_ms = static_cast<uint32_t>(secs * 1000.0 + 0.5);
  }
}

ChainStep step_of(const Replica& r, const pv::Event& e, ChainStepKind kind, uint32_t depth) {
  ChainStep s;
  s.kind = kind;
  s.seq = e.seq;
  s.wall_ns = e.wall_ns;
  s.node = e.node;
  s.actor = e.actor;
  s.who = event_name(e);
  s.depth = depth;
  switch (kind) {
    case ChainStepKind::Crash:
    case ChainStepKind::Unexplained:
      s.supervisor = supervisor_name(r, e.node, e.supervisor);
      s.text = exit_kind(e) ? format_reason(e.reason, e.text) : e.text;
      break;
    case ChainStepKind::SiblingStopped: {
      s.supervisor = supervisor_name(r, e.node, e.supervisor);
      s.text = "stopped by " + s.supervisor + ": " + format_reason(e.reason, e.text);
      break;
    }
    case ChainStepKind::Escalation:
      s.supervisor = supervisor_name(r, e.node, e.supervisor);
      s.text = e.text.empty() ? std::string(kEscalationText) : e.text;
      break;
    case ChainStepKind::SupervisorExit:
      s.supervisor = supervisor_name(r, e.node, e.supervisor);
      s.text = "exited: " + format_reason(e.reason, e.text) +
               (s.supervisor.empty() ? std::string() : ", a failure to " + s.supervisor);
      break;
    case ChainStepKind::Restart:
      s.supervisor = supervisor_name(r, e.node, e.supervisor);
      s.text = "restarted by " + s.supervisor;
      break;
  }
  return s;
}

}  // namespace

std::string_view name(ChainStepKind k) {
  switch (k) {
    case ChainStepKind::Crash: return "crash";
    case ChainStepKind::Unexplained: return "no cause";
    case ChainStepKind::SiblingStopped: return "stopped";
    case ChainStepKind::Escalation: return "budget exhausted";
    case ChainStepKind::SupervisorExit: return "exit";
    case ChainStepKind::Restart: return "restart";
  }
  return "?";
}

bool is_escalation(const pv::Event& e) {
  if (e.kind != pv::EventKind::Warning || e.actor == 0) return false;
  return e.reason == proto::ExitReason::Shutdown || e.text.rfind(kEscalationText, 0) == 0;
}

ExitChain explain_exit(const Replica& replica, uint64_t seq) {
  ExitChain chain;
  const pv::Event* asked_event = find_event(replica.events(), seq);
  if (!asked_event) {
    chain.note = "that event is no longer held by this viewer";
    return chain;
  }
  chain.found = true;
  const Events ev(replica.events(), asked_event->node);
  const auto asked = ev.position(asked_event);
  const pv::Event& target = *asked_event;
  if (!exit_kind(target) && target.kind != pv::EventKind::Restarted && !is_escalation(target)) {
    chain.note = "only an exit, a restart or an escalation has a chain";
    return chain;
  }

  // Back to the origin.
  size_t origin = *asked;
  for (int guard = 0; guard < 64; ++guard) {
    if (ev[origin].kind == pv::EventKind::Crashed) break;
    auto c = cause_of(ev, origin);
    if (!c) break;
    origin = *c;
  }
  const pv::Event& first = ev[origin];
  chain.origin_known = first.kind == pv::EventKind::Crashed;
  if (!chain.origin_known) {
    chain.note = exit_kind(first)
                     ? event_name(first) + " exited (" + format_reason(first.reason, first.text) +
                           ") with no crash or supervisor action before it in the events held: a link or a monitor "
                           "(not known to the collector) or the app itself stopped it"
                     : "no exit before this one in the events held explains it";
  } else if (first.reason == proto::ExitReason::Killed || first.reason == proto::ExitReason::Error) {
    // An exit can travel along a link with its reason unchanged: say so when another actor
    // crashed just before with the same words, without claiming the link.
    auto same = find_before(ev, origin, [&](const pv::Event& p, size_t) {
      if (first.wall_ns > p.wall_ns + 1'000'000'000ull) return -1;
      return p.kind == pv::EventKind::Crashed && p.actor != first.actor && !p.text.empty() && p.text == first.text &&
                     p.supervisor != first.supervisor
                 ? 1
                 : 0;
    });
    if (same)
      chain.note = event_name(ev[*same]) + " crashed with the same reason just before: a link or a monitor may have "
                   "carried it (the collector knows no link between them)";
  }

  // Forward: what each supervisor did about it. `sups` holds the supervisors involved and how
  // many escalations up each one is; `gave_up` the supervisors that escalated. They are found
  // first over the whole span (an agent's threads report in batches: a parent's stop may be
  // numbered before the exit of the child supervisor that caused it), then the steps collected.
  std::map<uint64_t, uint32_t> sups;
  std::set<uint64_t> gave_up;
  if (first.supervisor) sups[first.supervisor] = 0;
  const NodeId node = first.node;
  size_t span_end = ev.size();
  for (size_t k = *asked + 1; k < ev.size(); ++k)
    if (ev[k].not_sent == 0 && ev[k].node == node && ev[k].wall_ns > target.wall_ns + kFollowNs) {
      span_end = k;
      break;
    }
  auto in = [&](uint64_t sup) { return sup != 0 && sups.count(sup) > 0; };
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t k = origin; k < span_end; ++k) {
      const pv::Event& e = ev[k];
      if (e.not_sent > 0 || e.node != node) continue;
      if (is_escalation(e) && in(e.actor) && gave_up.insert(e.actor).second) grew = true;
      if ((is_escalation(e) || exit_kind(e)) && gave_up.count(e.actor) && e.supervisor && !in(e.supervisor)) {
        sups.emplace(e.supervisor, sups[e.actor] + 1);
        grew = true;
      }
    }
  }
  bool restarting = false;  // past the event asked for, a run of restarts has begun
  auto add = [&](ChainStep s, size_t k) {
    s.selected = k == *asked;
    if (chain.steps.size() < kChainMaxSteps)
      chain.steps.push_back(std::move(s));
    else
      ++chain.more;
  };
  add(step_of(replica, first, chain.origin_known ? ChainStepKind::Crash : ChainStepKind::Unexplained, 0), origin);
  for (size_t k = origin + 1; k < span_end; ++k) {
    const pv::Event& e = ev[k];
    if (e.not_sent > 0 || e.node != node) continue;
    const bool after = k > *asked;
    if (is_escalation(e) && gave_up.count(e.actor)) {
      const uint32_t depth = sups[e.actor];
      ChainStep s = step_of(replica, e, ChainStepKind::Escalation, depth);
      budget_of(replica, e, s.intensity, s.period_ms);
      const uint64_t window = s.period_ms ? uint64_t{s.period_ms} * 1'000'000ull : kScanNs;
      // The restarts its budget counted: its children's crashes inside the period (OTP counts
      // one restart per failure, whatever the strategy restarts with it).
      for (size_t j = k; j-- > 0;) {
        const pv::Event& p = ev[j];
        if (p.not_sent > 0 || p.node != e.node) continue;
        if (e.wall_ns > p.wall_ns + window) break;
        if (p.kind == pv::EventKind::Crashed && p.supervisor == e.actor)
          s.budget.insert(s.budget.begin(), BudgetPoint{p.wall_ns, event_name(p)});
      }
      // Giving up takes one failure more than the budget allows: fewer held means the one
      // that set it off (or an earlier one) is not among the events before it. Said, not hidden.
      if (s.intensity > 0 && s.budget.size() <= s.intensity && chain.note.empty()) {
        chain.note = s.who + " gave up after more than " + std::to_string(s.intensity) + " restarts, but only " +
                     std::to_string(s.budget.size()) +
                     " of its children's crashes come before it in the events held: the rest were not reported in "
                     "time, or are no longer held";
      }
      add(std::move(s), k);
      continue;
    }
    if (exit_kind(e) && gave_up.count(e.actor)) {
      add(step_of(replica, e, ChainStepKind::SupervisorExit, sups.count(e.actor) ? sups[e.actor] : 0), k);
      continue;
    }
    if (!in(e.supervisor)) continue;
    const uint32_t depth = sups[e.supervisor];
    if (e.kind == pv::EventKind::Crashed) {
      if (after) break;  // a new failure: another chain
      continue;          // a child crashing while being stopped: not what set this off
    }
    if (e.kind == pv::EventKind::Exited) {
      if (e.reason != proto::ExitReason::Shutdown) continue;  // its own doing
      if (after && restarting) break;
      add(step_of(replica, e, ChainStepKind::SiblingStopped, depth), k);
      continue;
    }
    if (e.kind == pv::EventKind::Restarted) {
      if (k >= *asked) restarting = true;  // from here on, a stop belongs to a later chain
      add(step_of(replica, e, ChainStepKind::Restart, depth), k);
    }
  }
  // The steps are in the order they happened on the node: Events is ordered by its clock.
  // The event asked for is always in the chain (a chain that did not reach it says why).
  if (std::none_of(chain.steps.begin(), chain.steps.end(), [](const ChainStep& s) { return s.selected; })) {
    ChainStep s = step_of(replica, target,
                          target.kind == pv::EventKind::Restarted ? ChainStepKind::Restart : ChainStepKind::Unexplained, 0);
    s.selected = true;
    chain.steps.push_back(std::move(s));
    std::stable_sort(chain.steps.begin(), chain.steps.end(),
                     [](const ChainStep& a, const ChainStep& b) { return a.wall_ns < b.wall_ns; });
    if (chain.note.empty()) chain.note = "no event held links this one to the crash before it";
  }
  if (replica.events_dropped() > 0 && chain.note.empty() && !chain.origin_known)
    chain.note = "older events were dropped by this viewer's bounds: the start may be among them";
  return chain;
}

std::string chain_step_text(const ChainStep& s) {
  std::string out = format_instant(s.wall_ns, s.wall_ns) + "  " + std::string(name(s.kind)) + "  " + s.who;
  switch (s.kind) {
    case ChainStepKind::Crash:
    case ChainStepKind::Unexplained:
      if (!s.supervisor.empty()) out += " (under " + s.supervisor + ")";
      out += ": " + s.text;
      break;
    case ChainStepKind::Escalation: {
      out += ": ";
      if (s.intensity > 0) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%zu failures in %.1f s, %u restarts allowed", s.budget.size(), s.period_ms / 1000.0, s.intensity);
        out += buf;
      } else {
        out += s.text;
      }
      if (!s.budget.empty()) {
        out += " (";
        for (size_t i = 0; i < s.budget.size(); ++i) {
          if (i) out += ", ";
          out += s.budget[i].child + " " + format_instant(s.budget[i].wall_ns, s.budget[i].wall_ns);
        }
        out += ")";
      }
      break;
    }
    default: out += ": " + s.text; break;
  }
  return out;
}

}  // namespace actorscope::view
