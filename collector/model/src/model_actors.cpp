// The model's actor table: spawn, exit, stats, restarts, snapshots and the supervision tree.
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <optional>
#include <unordered_set>

#include "model_impl.hpp"

namespace actorscope::collector {

namespace {

template <class E>
E checked_enum(uint8_t v, uint8_t max, Model::Impl& m) {
  if (v > max) {
    m.anomaly(Anomaly::BadEnum);
    return static_cast<E>(0);
  }
  return static_cast<E>(v);
}

// Adds new - old to a live sum; a decreasing cumulative counter keeps the old value.
inline uint64_t advance(uint64_t& field, uint64_t value, uint64_t& live_sum, Model::Impl& m) {
  if (value < field) {
    m.anomaly(Anomaly::CounterWentBack);
    return 0;
  }
  uint64_t d = value - field;
  field = value;
  live_sum += d;
  return d;
}

// The 13 cumulative counters of a sample (enqueued, dequeued, busy time, the histogram's
// buckets) advanced two at a time when none went back (the usual): the row's and the type's
// copies are contiguous, and the scalar advance() of each, a compare and branch per counter,
// was half of a sample's apply. Returns false, touching nothing, when one went back or any
// value is 2^63 or more: the caller then advances them one by one, as advance() says.
typedef uint64_t U64x2 __attribute__((vector_size(16), aligned(8)));
static_assert(offsetof(Actor, dequeued) == offsetof(Actor, enqueued) + 8 &&
              offsetof(Actor, busy_ns) == offsetof(Actor, enqueued) + 16 &&
              offsetof(Actor, hist) == offsetof(Actor, enqueued) + 24);
static_assert(offsetof(TypeAggregate, live_dequeued) == offsetof(TypeAggregate, live_enqueued) + 8 &&
              offsetof(TypeAggregate, live_busy_ns) == offsetof(TypeAggregate, live_enqueued) + 16 &&
              offsetof(TypeAggregate, live_hist) == offsetof(TypeAggregate, live_enqueued) + 24);
static_assert(offsetof(proto::ActorStats, dequeued) == offsetof(proto::ActorStats, enqueued) + 8 &&
              proto::kHistogramBuckets == 10);

inline U64x2 load2(const uint64_t* p) {
  U64x2 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store2(uint64_t* p, U64x2 v) { std::memcpy(p, &v, sizeof v); }
struct Advanced {
  uint64_t enqueued, dequeued, processed;
};
inline bool advance_all(Actor& a, TypeAggregate& t, const proto::ActorStats& r, Advanced& out) {
  uint64_t* f = &a.enqueued;
  uint64_t* live = &t.live_enqueued;
  // Values in the row's order: (enqueued, dequeued), (busy, hist 0), (hist 1, 2) ... (hist 9, -).
  const U64x2 v0 = load2(&r.enqueued);
  const U64x2 v1 = {r.busy_ns, r.hist[0]};
  const U64x2 v2 = load2(&r.hist[1]), v3 = load2(&r.hist[3]), v4 = load2(&r.hist[5]), v5 = load2(&r.hist[7]);
  const uint64_t v6 = r.hist[9];
  const U64x2 f0 = load2(f), f1 = load2(f + 2), f2 = load2(f + 4), f3 = load2(f + 6), f4 = load2(f + 8), f5 = load2(f + 10);
  const uint64_t f6 = f[12];
  const U64x2 d0 = v0 - f0, d1 = v1 - f1, d2 = v2 - f2, d3 = v3 - f3, d4 = v4 - f4, d5 = v5 - f5;
  const uint64_t d6 = v6 - f6;
  // With value and field both below 2^63, value - field has its sign bit set exactly when
  // value < field: one test of the sign bits of them all (a counter at 2^63 or above takes
  // the exact, scalar path).
  const U64x2 bits = (v0 | f0 | d0) | (v1 | f1 | d1) | (v2 | f2 | d2) | (v3 | f3 | d3) | (v4 | f4 | d4) | (v5 | f5 | d5);
  if (((bits[0] | bits[1] | v6 | f6 | d6) >> 63) != 0) return false;
  store2(f, v0), store2(f + 2, v1), store2(f + 4, v2), store2(f + 6, v3), store2(f + 8, v4), store2(f + 10, v5);
  f[12] = v6;
  store2(live, load2(live) + d0), store2(live + 2, load2(live + 2) + d1), store2(live + 4, load2(live + 4) + d2);
  store2(live + 6, load2(live + 6) + d3), store2(live + 8, load2(live + 8) + d4), store2(live + 10, load2(live + 10) + d5);
  live[12] += d6;
  const U64x2 hist = d2 + d3 + d4 + d5;
  out = {d0[0], d0[1], d1[1] + hist[0] + hist[1] + d6};
  return true;
}

}  // namespace

// ---- tree links ------------------------------------------------------------------------------
// Sibling lists are doubly linked; the first member's prev_sibling is the last member, so
// appending (spawn order) is O(1).
static void list_append(RowStore& rows, Row& head, Row r) {
  Actor& a = rows[r];
  a.next_sibling = kNoRow;
  if (head == kNoRow) {
    head = r;
    a.prev_sibling = r;
    return;
  }
  Row last = rows[head].prev_sibling;
  rows[last].next_sibling = r;
  a.prev_sibling = last;
  rows[head].prev_sibling = r;
}

static void list_remove(RowStore& rows, Row& head, Row r) {
  Actor& a = rows[r];
  if (head == r) {
    head = a.next_sibling;
    if (head != kNoRow) rows[head].prev_sibling = a.prev_sibling;
  } else {
    rows[a.prev_sibling].next_sibling = a.next_sibling;
    Row next = a.next_sibling != kNoRow ? a.next_sibling : head;
    rows[next].prev_sibling = a.prev_sibling;
  }
  a.next_sibling = a.prev_sibling = kNoRow;
}

// Calls visit(actor) on `from` and then each ancestor, up to a root or an orphan (whose parent
// is not linked), or until visit returns true. Each level visited costs one step of `credit`;
// false when the credit ran out first (the chain is longer than the node may still walk).
template <class Visit>
static bool walk_up(const NodeData& n, Row from, uint64_t& credit, Visit&& visit) {
  for (Row r = from; r != kNoRow;) {
    if (credit == 0) return false;
    --credit;
    const Actor& a = n.rows[r];
    if (visit(a) || a.parent == 0 || (a.flags & kActorOrphan)) return true;
    r = n.index.find(a.parent, n.rows);
  }
  return true;
}

// Whether `actor` is `from` or one of its ancestors: attaching it below `from` would make a
// cycle (hostile or confused input; tree walks must always end). Unknown when the node's walk
// credit ran out before the chain ended.
enum class OnChain : uint8_t { No, Yes, Unknown };
static OnChain on_chain(NodeData& n, uint64_t actor, Row from) {
  bool found = false;
  const bool told = walk_up(n, from, n.parent_walk_credit, [&](const Actor& a) { return found = a.id == actor; });
  return found ? OnChain::Yes : told ? OnChain::No : OnChain::Unknown;
}

// The ids of `kids` (rows) that are `from` or one of its ancestors, sorted: what on_chain()
// says of each, in one walk for all of them (a peer that makes many children wait for a
// parent at the end of a deep chain would otherwise cost depth × children). Nothing when the
// walk credit ran out before the chain ended.
static std::optional<std::vector<uint64_t>> ids_on_chain(NodeData& n, const std::vector<Row>& kids, Row from) {
  std::vector<uint64_t> ids;
  ids.reserve(kids.size());
  for (Row k : kids) ids.push_back(n.rows[k].id);
  std::sort(ids.begin(), ids.end());
  std::vector<uint64_t> found;
  const bool told = walk_up(n, from, n.parent_walk_credit, [&](const Actor& a) {
    if (std::binary_search(ids.begin(), ids.end(), a.id)) found.push_back(a.id);
    return false;
  });
  if (!told) return std::nullopt;
  std::sort(found.begin(), found.end());
  return found;
}

void Model::Impl::link_under(NodeData& n, Row r, bool fresh) {
  Actor& a = n.rows[r];
  a.flags &= static_cast<uint8_t>(~kActorOrphan);
  if (a.parent == 0) {
    list_append(n.rows, n.root_first, r);
    return;
  }
  Row p = n.index.find(a.parent, n.rows);
  const OnChain cycle = p == kNoRow || fresh ? OnChain::No : on_chain(n, a.id, p);
  if (cycle != OnChain::No) {
    anomaly(cycle == OnChain::Yes ? Anomaly::ParentCycle : Anomaly::ParentChainTooDeep);
    a.flags |= kActorOrphan;
    list_append(n.rows, n.root_first, r);
    return;
  }
  if (p == kNoRow) {
    // Parent not known yet: list it as a root until the parent arrives.
    a.flags |= kActorOrphan;
    list_append(n.rows, n.root_first, r);
    n.orphans[a.parent].kids.emplace_back(r, a.id);
    return;
  }
  list_append(n.rows, n.rows[p].first_child, r);
}

// Whether an entry of the children waiting for `parent` is a child still waiting for it.
static bool still_waiting(const NodeData& n, uint64_t parent, std::pair<Row, uint64_t> kid) {
  if (kid.first >= n.rows.size()) return false;
  const Actor& a = n.rows[kid.first];
  return a.id == kid.second && a.parent == parent && (a.flags & kActorOrphan);
}

// Row r stops waiting for its parent. Its entry is dropped when it is the newest (a child that
// came and went), else left to be skipped; once most of the list has left, it is compacted.
static void stop_waiting(NodeData& n, decltype(NodeData::orphans)::iterator it, Row r) {
  NodeData::Waiting& w = it->second;
  if (!w.kids.empty() && w.kids.back().first == r)
    w.kids.pop_back();
  else
    ++w.left;
  if (w.left * 2 > w.kids.size()) {
    const uint64_t parent = it->first;
    std::erase_if(w.kids, [&](const auto& kid) { return kid.first == r || !still_waiting(n, parent, kid); });
    w.left = 0;
  }
  if (w.kids.empty()) n.orphans.erase(it);
}

void Model::Impl::unlink(NodeData& n, Row r) {
  Actor& a = n.rows[r];
  if (a.parent == 0 || (a.flags & kActorOrphan)) {
    list_remove(n.rows, n.root_first, r);
    if (a.flags & kActorOrphan) {
      auto it = n.orphans.find(a.parent);
      if (it != n.orphans.end()) stop_waiting(n, it, r);
    }
    return;
  }
  Row p = n.index.find(a.parent, n.rows);
  if (p != kNoRow) list_remove(n.rows, n.rows[p].first_child, r);
}

// ---- rows --------------------------------------------------------------------------------------
uint32_t Model::Impl::type_slot(NodeData& n, Str type) {
  // Each node has its own budget of types: past it, new types count as "other" on that
  // node, and other nodes' series are untouched.
  if (settings.max_types_per_node != 0 && n.types.size() >= settings.max_types_per_node && !n.type_slots.count(type)) {
    anomaly(Anomaly::TooManyTypes);
    type = StringPool::kOverflow;
  }
  auto [it, fresh] = n.type_slots.try_emplace(type, static_cast<uint32_t>(n.types.size()));
  if (fresh) n.types.emplace_back().type = type;
  return it->second;
}

Row Model::Impl::add_row(NodeData& n, const Actor& a) {
  Row r;
  if (!n.free_rows.empty()) {
    r = n.free_rows.back();
    n.free_rows.pop_back();
    n.rows[r] = a;
  } else {
    r = static_cast<Row>(n.rows.size());
    n.rows.push_back(a);
  }
  n.index.insert(a.id, r);
  return r;
}

void Model::Impl::remove_row(NodeData& n, Row r) {
  Actor& a = n.rows[r];
  unlink(n, r);
  // Children outlive their parent only in odd runtimes: list them as roots.
  Row c = a.first_child;
  while (c != kNoRow) {
    Row next = n.rows[c].next_sibling;
    n.rows[c].flags |= kActorOrphan;
    list_append(n.rows, n.root_first, c);
    c = next;
  }
  a.first_child = kNoRow;
  remove_links_of(n, a);
  if (a.kind == proto::ActorKind::Supervisor) {
    auto s = n.supervisors.find(a.id);
    if (s != n.supervisors.end()) {
      forget_supervisor(n, a, s->second);
      n.supervisors.erase(s);
    }
  }
  note_change(n.info.key, ChangeKind::ActorRemoved, a.id);
  note_row_gone(n, a);
  n.index.erase(a.id, n.rows);
  a = Actor{};
  n.free_rows.push_back(r);
  --n.info.live_actors;
}

void Model::Impl::add_live(NodeData& n, Actor& a) {
  TypeAggregate& t = n.types[a.type_slot];
  ++t.live[static_cast<size_t>(a.kind)];
  t.live_enqueued += a.enqueued;
  t.live_dequeued += a.dequeued;
  t.live_busy_ns += a.busy_ns;
  for (size_t i = 0; i < proto::kHistogramBuckets; ++i) t.live_hist[i] += a.hist[i];
  t.mailbox_sum += a.mailbox;
  t.mailbox_max = std::max(t.mailbox_max, a.mailbox);
}

// Moves an actor's contribution from the live sums to the retired totals.
void Model::Impl::retire(NodeData& n, Actor& a) {
  TypeAggregate& t = n.types[a.type_slot];
  --t.live[static_cast<size_t>(a.kind)];
  t.live_enqueued -= a.enqueued;
  t.live_dequeued -= a.dequeued;
  t.live_busy_ns -= a.busy_ns;
  t.retired_enqueued.local += a.enqueued;
  t.retired_dequeued.local += a.dequeued;
  t.retired_busy_ns.local += a.busy_ns;
  for (size_t i = 0; i < proto::kHistogramBuckets; ++i) {
    t.live_hist[i] -= a.hist[i];
    t.retired_hist[i].local += a.hist[i];
  }
  t.mailbox_sum -= a.mailbox;
  if (a.mailbox > 0 && a.mailbox >= t.mailbox_max) n.mailbox_max_stale = true;
}

void Model::Impl::count_unseen_exit(NodeData& n, const Actor& a, bool process_gone) {
  TypeAggregate& t = n.types[a.type_slot];
  constexpr auto kUnknown = static_cast<size_t>(proto::ExitReason::Unknown);
  if (process_gone) {
    // No agent will count it: it goes past whatever the agent's totals say.
    ++t.exits.base;
    ++t.exit_reasons[kUnknown].base;
  } else {
    ++t.exits.local;
    // An agent that reports exits per reason counts this one with its true reason.
    if (!t.agent_reports_reasons) ++t.exit_reasons[kUnknown].local;
  }
  t.exits_by_reason[kUnknown] = t.exit_reasons[kUnknown].value();
  ++n.info.unseen_exits;
}

void Model::Impl::sync_exit_reasons(NodeData& n, TypeAggregate& t) {
  for (size_t r = 0; r < proto::kExitReasonCount; ++r) {
    uint64_t v = t.exit_reasons[r].value();
    if (v <= t.exits_by_reason[r]) continue;
    uint64_t delta = v - t.exits_by_reason[r];
    t.exits_by_reason[r] = v;
    if (!proto::exit_is_clean(static_cast<proto::ExitReason>(r))) {
      // Crashes the agent reports beyond those seen happened before this connection saw
      // them: they move the rate baseline, not the current window.
      n.info.crashes += delta;
      n.prev_crashes += delta;
    }
  }
}

// A new incarnation replaces the node's state: the old process's actors died with it.
void Model::Impl::remove_all_actors(NodeData& n) {
  for (Row r = 0; r < n.rows.size(); ++r) {
    if (n.rows[r].id == 0) continue;
    count_unseen_exit(n, n.rows[r], true);
    retire(n, n.rows[r]);
    note_change(n.info.key, ChangeKind::ActorRemoved, n.rows[r].id);
  }
  n.rows.clear();
  n.free_rows.clear();
  n.index.clear();
  n.orphans.clear();
  n.watched.clear();
  n.rated.clear();
  // Their mailbox warnings clear at the next step, unless the new incarnation's rows confirm them.
  n.recheck.clear();
  n.capped.clear();
  n.capped_head = 0;
  for (auto& slot : n.stuck_wheel) slot.clear();
  n.stuck_queued = 0;
  n.warned_gone.clear();
  n.watched_kept = 0;
  n.rows_reset = true;
  n.mailbox_max_stale = true;
  n.links.clear();
  n.link_ends = 0;
  for (const auto& [id, sup] : n.supervisors) carry_supervisor(n, sup);
  n.supervisors.clear();
  // Ids mean nothing across the agent's incarnations.
  n.gone_supervisor.clear();
  n.gone_supervisors.clear();
  n.root_first = kNoRow;
  n.info.live_actors = 0;
}

// ---- supervisors ---------------------------------------------------------------------------------
void Model::Impl::watch_budget(NodeData& n, Supervisor& s) {
  if (s.budget_watched && s.budget_due_ns <= now) return;  // its entry is due at the next tick
  s.budget_watched = true;
  s.budget_due_ns = now;
  n.budget_watch.push_back({s.actor, now});
  if (n.budget_watch.size() <= 2 * n.supervisors.size() + 1024) return;
  // Entries left stale by earlier dues: each supervisor's current one is kept, once.
  std::unordered_set<uint64_t> kept;
  std::erase_if(n.budget_watch, [&](const NodeData::BudgetWatch& e) {
    auto it = n.supervisors.find(e.id);
    const bool current = it != n.supervisors.end() && it->second.budget_watched && it->second.budget_due_ns == e.due_ns;
    return !current || !kept.insert(e.id).second;
  });
}

Supervisor& Model::Impl::supervisor_of(NodeData& n, const Actor& a) {
  auto [it, fresh] = n.supervisors.try_emplace(a.id);
  Supervisor& s = it->second;
  s.actor = a.id;
  s.label = a.name != 0 ? a.name : a.child_id != 0 ? a.child_id : pool.intern("unnamed");
  s.strategy = a.strategy;
  if (s.budget_watched && (s.intensity != a.intensity || s.period_ms != a.period_ms)) watch_budget(n, s);
  s.intensity = a.intensity;
  s.period_ms = a.period_ms;
  if (s.history.size() != settings.restart_history) s.history.assign(settings.restart_history, 0);
  if (fresh) {
    // The same child across incarnations: its supervisor's path and its child id (a root:
    // its label). A new incarnation takes over what the previous ones counted.
    auto parent = a.parent != 0 ? n.supervisors.find(a.parent) : n.supervisors.end();
    uint64_t base = parent != n.supervisors.end() ? parent->second.path : 0x6a09e667f3bcc909ull;
    s.path = mix64(base ^ mix64((Impl::path_hash(pool.text(a.child_id != 0 ? a.child_id : s.label)) << 1) | 1));
    auto c = n.carried.find(s.path);
    if (c != n.carried.end()) {
      s.restarts_before = c->second.restarts;
      s.escalations = c->second.escalations;
      s.per_child = std::move(c->second.per_child);
      n.carried.erase(c);
    }
  }
  return s;
}

void Model::Impl::forget_supervisor(NodeData& n, const Actor& a, const Supervisor& s) {
  if (settings.gone_supervisors_per_node != 0 && n.gone_supervisor.try_emplace(a.id, NodeData::GoneSupervisor{a.parent, a.child_id}).second) {
    n.gone_supervisors.push_back(a.id);
    while (n.gone_supervisors.size() > settings.gone_supervisors_per_node) {
      n.gone_supervisor.erase(n.gone_supervisors.front());
      n.gone_supervisors.pop_front();
    }
  }
  // An agent may report the next incarnation before this one's exit (its threads flush in
  // their own order): then what this one counted goes to that one now, not to a carry that
  // only a later incarnation would take.
  const uint64_t next = live_incarnation_for_record(n, a.id, a.id);
  auto successor = next != 0 ? n.supervisors.find(next) : n.supervisors.end();
  if (successor != n.supervisors.end())
    merge_into_successor(successor->second, s);
  else
    carry_supervisor(n, s);
}

uint64_t Model::Impl::live_incarnation(const NodeData& n, uint64_t actor, uint64_t gone) const {
  size_t budget = kMaxSuccessorScan;
  return newest_incarnation(n, actor, gone, 0, budget);
}

uint64_t Model::Impl::live_incarnation_for_record(NodeData& n, uint64_t actor, uint64_t gone) {
  const size_t allowed = static_cast<size_t>(std::min<uint64_t>(kMaxSuccessorScan, n.successor_scan_credit));
  size_t budget = allowed;
  const uint64_t found = newest_incarnation(n, actor, gone, 0, budget);
  n.successor_scan_credit -= allowed - budget;
  if (budget == 0 && allowed < kMaxSuccessorScan) anomaly(Anomaly::SuccessorScanCut);
  return found;
}

uint64_t Model::Impl::newest_incarnation(const NodeData& n, uint64_t actor, uint64_t gone, int depth, size_t& budget) const {
  // Where it stands: its parent and child id, from its row while live, else from when it went.
  uint64_t parent = 0;
  Str child_id = 0;
  const Row r = actor != gone ? n.index.find(actor, n.rows) : kNoRow;
  const bool live = r != kNoRow;
  if (live) {
    const Actor& a = n.rows[r];
    // Only supervisors are looked up by child id; a live root needs no search.
    if (a.kind != proto::ActorKind::Supervisor || a.child_id == 0 || a.parent == 0) return actor;
    parent = a.parent;
    child_id = a.child_id;
  } else {
    auto g = n.gone_supervisor.find(actor);
    if (g == n.gone_supervisor.end() || g->second.child_id == 0) return 0;
    parent = g->second.parent;
    child_id = g->second.child_id;
  }
  const uint64_t fallback = live ? actor : 0;
  if (depth >= kMaxSuccessorHops) return fallback;
  // Its parent's newest incarnation (which may be newer than its own parent: a subtree
  // restarted from above can be reported before the old one's exits) ...
  uint64_t above = 0;
  Row c = n.root_first;
  if (parent != 0) {
    above = newest_incarnation(n, parent, 0, depth + 1, budget);
    const Row pr = above != 0 ? n.index.find(above, n.rows) : kNoRow;
    if (pr == kNoRow) return fallback;
    c = n.rows[pr].first_child;
  }
  // ... and there the newest supervisor with its child id: by spawn time, then list order
  // (an adopted orphan is listed when its parent came, not when it was spawned).
  uint64_t found = 0, found_ns = 0;
  for (; c != kNoRow && budget > 0; c = n.rows[c].next_sibling, --budget) {
    const Actor& k = n.rows[c];
    if (k.id != gone && k.parent == above && k.child_id == child_id && k.kind == proto::ActorKind::Supervisor &&
        (found == 0 || k.spawn_wall_ns >= found_ns)) {
      found = k.id;
      found_ns = k.spawn_wall_ns;
    }
  }
  return found != 0 ? found : fallback;
}

void Model::Impl::merge_into_successor(Supervisor& next, const Supervisor& s) {
  next.restarts_before += s.total_restarts();
  next.escalations += s.escalations;
  for (const ChildRecord& r : s.per_child) {
    ChildRecord& c = child_record(next, r.child_id);
    c.restarts += r.restarts;
    if (c.current == 0) c.current = r.current;
    if (r.last_crash_actor != 0 && r.last_crash_seq > c.last_crash_seq) {
      c.last_crash_actor = r.last_crash_actor;
      c.last_crash_wall_ns = r.last_crash_wall_ns;
      c.last_crash_seq = r.last_crash_seq;
      c.last_reason = r.last_reason;
    }
  }
}

void Model::Impl::carry_supervisor(NodeData& n, const Supervisor& s) {
  if (s.path == 0) return;
  if (n.carried.size() >= kMaxCarriedSupervisors && !n.carried.count(s.path)) return;
  SupervisorCarry& c = n.carried[s.path];
  c.restarts = s.total_restarts();
  c.escalations = s.escalations;
  c.per_child = s.per_child;
}

void Model::apply(NodeKey key, const proto::SupervisorEscalated& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  auto it = n->supervisors.find(r.supervisor);
  if (it == n->supervisors.end()) {
    m.anomaly(Anomaly::UnknownActor);
    return;
  }
  Supervisor& s = it->second;
  ++s.escalations;
  ++n->info.escalations;
  auto [slot, fresh] = n->escalation_label_slots.try_emplace(s.label, static_cast<uint32_t>(n->escalations_by_label.size()));
  if (fresh) n->escalations_by_label.emplace_back(s.label, 0);
  ++n->escalations_by_label[slot->second].second;
  Event& e = m.push_event(EventKind::Escalation, key);
  e.wall_ns = m.wall(*n, r.t_ns);
  e.actor = s.actor;
  Row row = n->index.find(s.actor, n->rows);
  if (row != kNoRow) {
    const Actor& a = n->rows[row];
    e.other = a.parent;
    e.name = a.name != 0 ? a.name : a.child_id;
    e.type = a.type;
    m.note_actor(*n, n->rows[row]);
  }
  char buf[128];
  std::snprintf(buf, sizeof buf, "restart intensity exceeded: more than %u restarts in %.1f s", s.intensity,
                s.period_ms / 1000.0);
  e.detail = buf;
}

void Model::apply(NodeKey key, const proto::SupervisorTotals& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  // The label the model gives a supervisor: its name, else its child id, else "unnamed".
  Str label = r.supervisor != 0 ? m.resolve_label(*n, r.supervisor) : m.pool.intern("unnamed");
  // The agent's totals are exact and cumulative: take the larger, so that a reconnect to
  // this same model counts nothing twice. What is adopted happened before this snapshot:
  // it moves the rate baseline too.
  auto [rs, rfresh] = n->restart_label_slots.try_emplace(label, static_cast<uint32_t>(n->restarts_by_label.size()));
  if (rfresh) n->restarts_by_label.emplace_back(label, 0);
  uint64_t& restarts = n->restarts_by_label[rs->second].second;
  if (r.restarts > restarts) {
    uint64_t delta = r.restarts - restarts;
    restarts = r.restarts;
    n->info.restarts += delta;
    n->prev_restarts += delta;
  }
  if (r.escalations > 0) {
    auto [es, efresh] =
        n->escalation_label_slots.try_emplace(label, static_cast<uint32_t>(n->escalations_by_label.size()));
    if (efresh) n->escalations_by_label.emplace_back(label, 0);
    uint64_t& escalations = n->escalations_by_label[es->second].second;
    if (r.escalations > escalations) {
      n->info.escalations += r.escalations - escalations;
      escalations = r.escalations;
    }
  }
  m.note_change(key, ChangeKind::NodeChanged, 0);
}

void Model::Impl::count_restart_label(NodeData& n, Str label, uint64_t delta) {
  auto [it, fresh] = n.restart_label_slots.try_emplace(label, static_cast<uint32_t>(n.restarts_by_label.size()));
  if (fresh) n.restarts_by_label.emplace_back(label, 0);
  n.restarts_by_label[it->second].second += delta;
}

void Model::Impl::update_supervisor_restarts(NodeData& n, Supervisor& s) {
  uint64_t v = std::max(s.restart_records, s.reported_restarts);
  if (v > s.restarts) {
    count_restart_label(n, s.label, v - s.restarts);
    s.restarts = v;
  }
}

double restart_budget(const Supervisor& s, uint64_t now_ns) {
  if (s.intensity == 0) return 0;
  uint64_t period = static_cast<uint64_t>(s.period_ms) * 1'000'000;
  size_t inside = 0;
  for (uint64_t t : s.history)
    if (t != 0 && t <= now_ns && now_ns - t < period) ++inside;
  return static_cast<double>(inside) / s.intensity;
}

uint64_t next_budget_change(const Supervisor& s, uint64_t now_ns) {
  if (s.intensity == 0) return 0;
  const uint64_t period = static_cast<uint64_t>(s.period_ms) * 1'000'000;
  uint64_t next = 0;
  for (uint64_t t : s.history) {
    uint64_t at = 0;
    if (t > now_ns)
      at = t;  // enters the period then
    else if (t != 0 && now_ns - t < period)
      at = t + period;  // leaves it then
    if (at != 0 && (next == 0 || at < next)) next = at;
  }
  return next;
}

// ---- records ---------------------------------------------------------------------------------------
void Model::apply(NodeKey key, const proto::ActorSpawned& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  if (r.actor == 0) {
    m.anomaly(Anomaly::UnknownActor);
    return;
  }
  // Each spawn earns the node walk steps for the cycle checks its link may need, and rows for
  // the successor look-ups its supervisors' changes may need.
  earn(n->parent_walk_credit, m.settings.parent_walk_steps_per_spawn, m.settings.parent_walk_credit);
  earn(n->successor_scan_credit, m.settings.successor_scan_steps_per_record, m.settings.successor_scan_credit);
  Actor d;
  d.id = r.actor;
  d.parent = r.parent == r.actor ? 0 : r.parent;
  d.spawn_wall_ns = m.wall(*n, r.t_ns);
  d.name = m.resolve(*n, r.name);
  d.type = m.resolve_label(*n, r.type);
  d.child_id = m.resolve(*n, r.child_id);
  d.kind = checked_enum<proto::ActorKind>(static_cast<uint8_t>(r.kind), 1, m);
  d.restart = checked_enum<proto::RestartType>(static_cast<uint8_t>(r.restart), 2, m);
  d.strategy = checked_enum<proto::Strategy>(static_cast<uint8_t>(r.strategy), 4, m);
  d.intensity = r.intensity;
  d.period_ms = r.period_ms;
  d.seen_epoch = n->epoch;
  if (n->info.snapshot_in_progress) ++n->info.snapshot_described;
  d.last_progress_ns = m.now;
  d.last_sample_ns = m.now;

  Row row = n->index.find(r.actor, n->rows);
  if (row != kNoRow) {
    // A snapshot describing an actor we already have: keep its stats, refresh the rest.
    if (!n->info.snapshot_in_progress) m.anomaly(Anomaly::DuplicateSpawn);
    Actor& a = n->rows[row];
    if (a.type != d.type || a.kind != d.kind) {
      m.retire(*n, a);
      // Its counters stay with the old type (retired); the new type starts from here.
      a.enqueued = a.dequeued = a.busy_ns = 0;
      a.hist = {};
      a.mailbox = 0;
      m.recheck(*n, row, a);
      a.type = d.type;
      if (a.kind != d.kind && a.kind == proto::ActorKind::Supervisor) {
        auto sup = n->supervisors.find(a.id);
        if (sup != n->supervisors.end()) {
          m.forget_supervisor(*n, a, sup->second);
          n->supervisors.erase(sup);
        }
      }
      a.kind = d.kind;
      a.type_slot = m.type_slot(*n, d.type);
      m.add_live(*n, a);
    }
    if (a.parent != d.parent) {
      m.unlink(*n, row);
      a.parent = d.parent;
      m.link_under(*n, row);
    }
    a.name = d.name;
    a.child_id = d.child_id;
    a.restart = d.restart;
    a.strategy = d.strategy;
    a.intensity = d.intensity;
    a.period_ms = d.period_ms;
    a.seen_epoch = n->epoch;
    if (a.kind == proto::ActorKind::Supervisor) m.supervisor_of(*n, a);
    m.note_actor(*n, a);
    return;
  }

  d.type_slot = m.type_slot(*n, d.type);
  row = m.add_row(*n, d);
  ++n->info.live_actors;
  Actor& a = n->rows[row];
  TypeAggregate& t = n->types[a.type_slot];
  ++t.spawns.local;
  m.add_live(*n, a);
  m.link_under(*n, row, /*fresh=*/true);
  if (a.kind == proto::ActorKind::Supervisor) m.supervisor_of(*n, a);
  // Children that arrived before this parent attach now, in their arrival order.
  auto waiting = n->orphans.empty() ? n->orphans.end() : n->orphans.find(a.id);
  if (waiting != n->orphans.end()) {
    // The entries of children still waiting, each child once (one that was moved away and
    // back has two), in their arrival order.
    std::vector<Row> kids;
    std::unordered_set<Row> listed;
    for (const auto& kid : waiting->second.kids)
      if (still_waiting(*n, a.id, kid) && listed.insert(kid.first).second) kids.push_back(kid.first);
    n->orphans.erase(waiting);
    const std::optional<std::vector<uint64_t>> cyclic = ids_on_chain(*n, kids, row);
    for (Row k : kids) {
      if (!cyclic) {
        m.anomaly(Anomaly::ParentChainTooDeep);  // stays listed as a root
        continue;
      }
      if (std::binary_search(cyclic->begin(), cyclic->end(), n->rows[k].id)) {
        m.anomaly(Anomaly::ParentCycle);  // stays listed as a root
        continue;
      }
      list_remove(n->rows, n->root_first, k);
      n->rows[k].flags &= static_cast<uint8_t>(~kActorOrphan);
      list_append(n->rows, n->rows[row].first_child, k);
      m.note_actor(*n, n->rows[k]);
    }
  }
  m.note_actor(*n, n->rows[row]);
}

void Model::apply(NodeKey key, const proto::ActorExited& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  earn(n->successor_scan_credit, m.settings.successor_scan_steps_per_record, m.settings.successor_scan_credit);
  auto reason = checked_enum<proto::ExitReason>(static_cast<uint8_t>(r.reason), proto::kExitReasonCount - 1, m);
  bool crash = !proto::exit_is_clean(reason);
  Event& e = m.push_event(crash ? EventKind::Crash : EventKind::Exit, key);
  e.wall_ns = m.wall(*n, r.t_ns);
  e.actor = r.actor;
  e.reason = reason;
  m.set_reason_text(*n, e, r.reason_text, r.reason_inline);
  if (crash) ++n->info.crashes;
  Row row = n->index.find(r.actor, n->rows);
  if (row == kNoRow) {
    m.anomaly(Anomaly::UnknownActor);
    return;
  }
  Actor& a = n->rows[row];
  e.name = a.name != 0 ? a.name : a.child_id;  // a supervisor's child is known by its child id
  e.type = a.type;
  e.other = a.parent;
  e.child_id = a.child_id;
  // A supervised child keeps its last crash across incarnations.
  if (crash && a.parent != 0 && a.child_id != 0) {
    auto sup = n->supervisors.find(a.parent);
    // Its supervisor already replaced (its exit came first): the record is with the successor.
    if (sup == n->supervisors.end())
      if (const uint64_t next = m.live_incarnation_for_record(*n, a.parent)) sup = n->supervisors.find(next);
    if (sup != n->supervisors.end()) Impl::note_crash(m.child_record(sup->second, a.child_id), a.id, e);
  }
  TypeAggregate& t = n->types[a.type_slot];
  ++t.exits.local;
  ++t.exit_reasons[static_cast<size_t>(reason)].local;
  t.exits_by_reason[static_cast<size_t>(reason)] = t.exit_reasons[static_cast<size_t>(reason)].value();
  m.retire(*n, a);
  m.remove_row(*n, row);
}

void Model::apply(NodeKey key, const proto::ChildRestarted& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  auto reason = checked_enum<proto::ExitReason>(static_cast<uint8_t>(r.reason), proto::kExitReasonCount - 1, m);
  Str child = m.resolve(*n, r.child_id);
  ++n->info.restarts;
  Event& e = m.push_event(EventKind::Restart, key);
  e.wall_ns = m.wall(*n, r.t_ns);
  e.actor = r.old_actor;
  e.other = r.supervisor;
  e.new_actor = r.new_actor;
  e.reason = reason;
  e.name = child;
  m.set_reason_text(*n, e, r.reason_text, r.reason_inline);
  auto it = n->supervisors.find(r.supervisor);
  if (it == n->supervisors.end()) {
    m.anomaly(Anomaly::UnknownActor);
    return;
  }
  Supervisor& s = it->second;
  ++s.restart_records;
  // Intensity counts restarts the way OTP does: one per failure handled. The siblings that
  // one_for_all / rest_for_one restart along with the failed child come with reason
  // shutdown (the supervisor stopped them); they are counted per child, not in the budget.
  if (!s.history.empty() && reason != proto::ExitReason::Shutdown) {
    s.history[s.history_next] = m.now;
    s.history_next = (s.history_next + 1) % s.history.size();
    m.watch_budget(*n, s);
  }
  ChildRecord& pc = m.child_record(s, child);
  ++pc.restarts;
  pc.current = r.new_actor;
  // Its exit told of the crash already (and that event is kept longer): only a crash that came
  // with no exit record of its own is noted from the restart.
  if (!proto::exit_is_clean(reason) && pc.last_crash_actor != r.old_actor) Impl::note_crash(pc, r.old_actor, e);
  m.update_supervisor_restarts(*n, s);
  Row sr = n->index.find(r.supervisor, n->rows);
  if (sr != kNoRow) m.note_actor(*n, n->rows[sr]);
}

namespace {
// An actor's rate after a sample that counted `n` more over `since_ns`: the first rate is the
// sample's own (none when no time passed); after that, a moving average over about `tau_ns` (the old rate weighs
// tau/(tau + since)). Samples come at every flush in which the cell changed, often 100 ms apart
// with a message or two in each, so one sample's own rate jumps between 0 and many times the
// true one; averaged, a steady 35 messages/s reads 35. A steady rate is its own fixed point
// however the samples fall, and a sample with nothing counted pulls the rate down rather than
// to 0 (the step's rate window still zeroes an actor that sends no sample at all).
float smoothed_rate(float rate, uint64_t n, uint64_t since_ns, uint64_t tau_ns) {
  if (rate <= 0 || tau_ns == 0) {
    // No time between the two samples (a snapshot's, counting the past): no rate yet.
    if (since_ns == 0) return tau_ns == 0 ? rate : 0.0f;
    return static_cast<float>(static_cast<double>(n) * 1e9 / static_cast<double>(since_ns));
  }
  const double tau_s = static_cast<double>(tau_ns) * 1e-9, since_s = static_cast<double>(since_ns) * 1e-9;
  return static_cast<float>((static_cast<double>(rate) * tau_s + static_cast<double>(n)) / (tau_s + since_s));
}
}  // namespace

void Model::apply(NodeKey key, const proto::ActorStats& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  Row row = n->find_next_in_order(r.actor);
  if (row == kNoRow) {
    m.anomaly(Anomaly::UnknownActor);
    return;
  }
  m.apply_stats(*n, row, r);
}

void Model::Impl::apply_stats(NodeData& nd, Row row, Actor& a, const proto::ActorStats& r) {
  Impl& m = *this;
  NodeData* n = &nd;
  NodeKey key = nd.info.key;
  TypeAggregate& t = n->types[a.type_slot];
  a.seen_epoch = n->epoch;

  uint64_t old_mailbox = a.mailbox;
  a.mailbox = r.mailbox;
  t.mailbox_sum += r.mailbox - old_mailbox;  // wraps correctly in unsigned arithmetic
  if (r.mailbox > t.mailbox_max)
    t.mailbox_max = r.mailbox;
  else if (r.mailbox < old_mailbox && old_mailbox >= t.mailbox_max)
    n->mailbox_max_stale = true;  // the deepest shrank: worked out again at the step
  if (r.mailbox > old_mailbox) {
    if (a.growth_streak == 0) a.growth_base = old_mailbox;
    if (a.growth_streak < 255) ++a.growth_streak;
  } else {
    a.growth_streak = 0;
  }

  uint64_t slow_before = a.hist[8] + a.hist[9];
  // Processed = processing scopes that ended (the histogram's count), not dequeues.
  Advanced adv;
  if (!advance_all(a, t, r, adv)) {
    adv.enqueued = advance(a.enqueued, r.enqueued, t.live_enqueued, m);
    adv.dequeued = advance(a.dequeued, r.dequeued, t.live_dequeued, m);
    advance(a.busy_ns, r.busy_ns, t.live_busy_ns, m);
    adv.processed = 0;
    for (size_t i = 0; i < proto::kHistogramBuckets; ++i) adv.processed += advance(a.hist[i], r.hist[i], t.live_hist[i], m);
  }
  const uint64_t enqueued = adv.enqueued, dequeued = adv.dequeued, processed = adv.processed;

  if (processed > 0 || dequeued > 0) a.last_progress_ns = m.now;
  if (n->info.snapshot_in_progress) {
    // A snapshot describes the past (messages handled before this connection, or while it
    // was down): its counts move the node's rate baseline, and its actors' rates start afresh.
    n->prev_messages += processed;
    a.messages_per_s = 0;
    a.fill_per_s = 0;
    a.last_sample_ns = m.now;
  } else if (m.now >= a.last_sample_ns) {
    // A node whose work is reductions (BEAM) counts them as dequeued and ends no processing
    // scope: its rate is reductions/s, which the viewers label so. The mailbox's fill rate is
    // taken the same way: with the drain rate, whether it grows.
    const uint64_t work = n->info.rates_in_reductions ? dequeued : processed;
    const uint64_t since = m.now - a.last_sample_ns;
    const uint64_t tau = m.settings.actor_rate_smoothing_ns;
    a.messages_per_s = smoothed_rate(a.messages_per_s, work, since, tau);
    a.fill_per_s = n->info.rates_in_reductions ? 0.0f : smoothed_rate(a.fill_per_s, enqueued, since, tau);
    a.last_sample_ns = m.now;
  }

  if (a.hist[8] + a.hist[9] > slow_before)
    m.raise_warning(WarningKind::SlowHandler, key, a.id, "a message took longer than 1 s to process");
  if ((a.messages_per_s > 0 || a.fill_per_s > 0) && !(a.flags & kActorRated)) {
    a.flags |= kActorRated;
    n->rated.push_back(row);
  }
  if (a.mailbox > 0 && !(a.flags & kActorWatched)) {
    a.flags |= kActorWatched;
    n->watched.push_back(row);
  }
  recheck(*n, row, a);
  if (a.kind == proto::ActorKind::Supervisor) {
    auto it = n->supervisors.find(a.id);
    if (it != n->supervisors.end() && r.restarts > it->second.reported_restarts) {
      it->second.reported_restarts = r.restarts;
      m.update_supervisor_restarts(*n, it->second);
    }
  }
  m.note_actor(*n, a);
}

void Model::apply(NodeKey key, const proto::SnapshotBegin& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  n->info.snapshot_in_progress = true;
  n->info.snapshot_actors = r.actors;
  n->info.snapshot_described = 0;
  n->snapshot_id = r.snapshot;
  // The agent says how many actors follow: room for their rows' chunk pointers (bounded, as
  // the count is the peer's word); the rows come chunk by chunk as they are described.
  n->rows.reserve(static_cast<size_t>(std::min<uint64_t>(r.actors, 1u << 24)));
  if (++n->epoch == 0) n->epoch = 1;  // 0 stays "never seen"
  m.note_change(key, ChangeKind::NodeChanged, 0);
}

// The rows of live actors the current snapshot did not describe. The table keeps the rows
// of actors that left (for reuse), so a node that once had many actors and now has few is
// looked at through its tree, which holds exactly its live actors: a snapshot's end costs
// what the node holds, never what it once held (a peer sending empty snapshots over a
// table emptied of a million actors made each end a scan of a million rows).
static std::vector<Row> unseen_rows(const NodeData& n) {
  std::vector<Row> unseen;
  const auto scan_rows = [&] {
    unseen.clear();
    for (Row row = 0; row < n.rows.size(); ++row) {
      const Actor& a = n.rows[row];
      if (a.id != 0 && a.seen_epoch != n.epoch) unseen.push_back(row);
    }
    return unseen;
  };
  const uint64_t live = n.info.live_actors;
  if (live == 0) return unseen;
  if (n.rows.size() <= 2 * live + 1024) return scan_rows();
  std::vector<Row> stack;
  uint64_t visited = 0;
  for (Row r = n.root_first; r != kNoRow; r = n.rows[r].next_sibling) stack.push_back(r);
  while (!stack.empty() && visited <= live) {
    const Row r = stack.back();
    stack.pop_back();
    ++visited;
    const Actor& a = n.rows[r];
    if (a.seen_epoch != n.epoch) unseen.push_back(r);
    for (Row c = a.first_child; c != kNoRow; c = n.rows[c].next_sibling) stack.push_back(c);
  }
  // The tree and the count disagree (never, while both are kept right): the rows say.
  if (visited != live) return scan_rows();
  std::sort(unseen.begin(), unseen.end());  // in row order, as the scan finds them
  return unseen;
}

void Model::apply(NodeKey key, const proto::SnapshotEnd& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n || !n->info.snapshot_in_progress || r.snapshot != n->snapshot_id) return;
  // What the snapshot did not describe exited while we were not looking: counted as an
  // exit whose reason we cannot know.
  for (Row row : unseen_rows(*n)) {
    Actor& a = n->rows[row];
    m.count_unseen_exit(*n, a, false);
    m.retire(*n, a);
    m.remove_row(*n, row);
  }
  n->info.snapshot_in_progress = false;
  ++n->info.snapshots;
  m.note_change(key, ChangeKind::NodeChanged, 0);
}

}  // namespace actorscope::collector
