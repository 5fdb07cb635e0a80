// The collector's own counts of a node, read out and restored (an export of the history opened
// again), and their bytes.
#include <algorithm>

#include "actorscope/collector/history.hpp"
#include "model_impl.hpp"

namespace actorscope::collector {

namespace {

ChildCounts child_counts(const StringPool& pool, const ChildRecord& c) {
  return ChildCounts{std::string(pool.text(c.child_id)), c.restarts, c.current, c.last_crash_actor, c.last_crash_wall_ns,
                     c.last_reason};
}
ChildRecord child_record(StringPool& pool, const ChildCounts& c) {
  ChildRecord r;
  r.child_id = pool.intern(c.child_id);
  r.restarts = c.restarts;
  r.current = c.current;
  r.last_crash_actor = c.last_crash_actor;
  r.last_crash_wall_ns = c.last_crash_wall_ns;
  r.last_crash_seq = 0;  // that crash's event is not in this model's log
  r.last_reason = c.last_reason;
  return r;
}

}  // namespace

NodeCounts Model::counts(NodeKey key) const {
  const Impl& m = *impl_;
  NodeCounts c;
  const NodeData* n = m.node(key);
  if (!n) return c;
  const Node& i = n->info;
  c.restarts = i.restarts;
  c.crashes = i.crashes;
  c.escalations = i.escalations;
  c.unseen_exits = i.unseen_exits;
  c.reconnects = i.reconnects;
  c.app_restarts = i.app_restarts;
  c.telemetry_events = i.telemetry_events;
  for (const TypeAggregate& t : n->types) {
    TypeCounts& tc = c.types.emplace_back();
    tc.type = std::string(m.pool.text(t.type));
    tc.agent_reports_reasons = t.agent_reports_reasons;
    tc.spawns = t.spawns;
    tc.exits = t.exits;
    tc.retired_enqueued = t.retired_enqueued;
    tc.retired_dequeued = t.retired_dequeued;
    tc.retired_busy_ns = t.retired_busy_ns;
    tc.retired_hist = t.retired_hist;
    tc.exit_reasons = t.exit_reasons;
  }
  std::vector<const Supervisor*> sups;
  for (const auto& [id, s] : n->supervisors) sups.push_back(&s);
  std::sort(sups.begin(), sups.end(), [](const Supervisor* a, const Supervisor* b) { return a->actor < b->actor; });
  for (const Supervisor* s : sups) {
    SupervisorCounts& sc = c.supervisors.emplace_back();
    sc.actor = s->actor;
    sc.restarts = s->restarts;
    sc.restart_records = s->restart_records;
    sc.reported_restarts = s->reported_restarts;
    sc.restarts_before = s->restarts_before;
    sc.escalations = s->escalations;
    sc.history = s->history;
    sc.history_next = s->history_next;
    for (const ChildRecord& r : s->per_child) sc.per_child.push_back(child_counts(m.pool, r));
  }
  for (const auto& [path, carry] : n->carried) {
    CarriedCounts& cc = c.carried.emplace_back();
    cc.path = path;
    cc.restarts = carry.restarts;
    cc.escalations = carry.escalations;
    for (const ChildRecord& r : carry.per_child) cc.per_child.push_back(child_counts(m.pool, r));
  }
  std::sort(c.carried.begin(), c.carried.end(), [](const CarriedCounts& a, const CarriedCounts& b) { return a.path < b.path; });
  for (uint64_t id : n->gone_supervisors) {
    auto it = n->gone_supervisor.find(id);
    if (it != n->gone_supervisor.end())
      c.gone_supervisors.push_back({id, it->second.parent, std::string(m.pool.text(it->second.child_id))});
  }
  for (const auto& [label, count] : n->restarts_by_label) c.restarts_by_label.emplace_back(std::string(m.pool.text(label)), count);
  for (const auto& [label, count] : n->escalations_by_label)
    c.escalations_by_label.emplace_back(std::string(m.pool.text(label)), count);
  c.drops_base = n->drops_base;
  c.drops_last = n->drops_last;
  c.drops_at_last_warning = n->drops_at_last_warning;
  c.series = series(key, SIZE_MAX);
  c.prev_step_ns = n->prev_step_ns;
  c.prev_messages = n->prev_messages;
  c.prev_restarts = n->prev_restarts;
  c.prev_crashes = n->prev_crashes;
  c.prev_drops = n->prev_drops;
  c.prev_telemetry = n->prev_telemetry;
  c.next_step_ns = m.next_step_ns;
  for (const Actor& a : actor_rows(key)) {
    if (a.id == 0) continue;
    if (a.messages_per_s == 0 && a.fill_per_s == 0 && a.growth_streak == 0 && a.growth_base == 0 && a.last_sample_ns == 0 &&
        a.last_progress_ns == 0)
      continue;
    c.actors.push_back({a.id, a.messages_per_s, a.fill_per_s, a.growth_streak, a.growth_base, a.last_sample_ns, a.last_progress_ns});
  }
  std::sort(c.actors.begin(), c.actors.end(), [](const ActorCounts& x, const ActorCounts& y) { return x.actor < y.actor; });
  for (const TelemetryStats& t : n->telemetry) {
    TelemetryCounts& tc = c.telemetry.emplace_back();
    tc.event = std::string(m.pool.text(t.event));
    tc.count = t.count;
    tc.count_at_step = t.count_at_step;
    tc.rate = t.rate;
    for (const MeasurementStats& ms : t.measurements)
      tc.measurements.push_back({std::string(m.pool.text(ms.key)), ms.count, ms.sum, ms.min, ms.max, ms.last, ms.buckets, ms.fine,
                                 ms.fine_dropped});
  }
  m.for_each_warning([&](const Warning& w) {
    if (w.node == key) c.warnings.push_back({static_cast<uint8_t>(w.kind), w.actor, w.text, w.since_ns, w.seen_ns, w.peak});
  });
  return c;
}

namespace {

// What a node's counts set, but its actors' (restore_actors).
void restore_node(Model::Impl& m, NodeKey key, NodeData* n, const NodeCounts& c) {
  n->info.restarts = c.restarts;
  n->info.crashes = c.crashes;
  n->info.escalations = c.escalations;
  n->info.unseen_exits = c.unseen_exits;
  n->info.reconnects = c.reconnects;
  n->info.app_restarts = c.app_restarts;
  for (const TypeCounts& tc : c.types) {
    TypeAggregate& t = n->types[m.type_slot(*n, m.pool.intern(tc.type))];
    t.spawns = tc.spawns;
    t.exits = tc.exits;
    t.retired_enqueued = tc.retired_enqueued;
    t.retired_dequeued = tc.retired_dequeued;
    t.retired_busy_ns = tc.retired_busy_ns;
    t.retired_hist = tc.retired_hist;
    t.exit_reasons = tc.exit_reasons;
    for (size_t r = 0; r < proto::kExitReasonCount; ++r) t.exits_by_reason[r] = t.exit_reasons[r].value();
    t.agent_reports_reasons = tc.agent_reports_reasons;
  }
  for (const SupervisorCounts& sc : c.supervisors) {
    auto it = n->supervisors.find(sc.actor);
    if (it == n->supervisors.end()) continue;  // its actor was not in the snapshot
    Supervisor& s = it->second;
    s.restarts = sc.restarts;
    s.restart_records = sc.restart_records;
    s.reported_restarts = sc.reported_restarts;
    s.restarts_before = sc.restarts_before;
    s.escalations = sc.escalations;
    if (sc.history.size() == s.history.size()) {
      s.history = sc.history;
      s.history_next = static_cast<size_t>(sc.history_next % std::max<size_t>(s.history.size(), 1));
    } else {  // another --restart-history: the newest restarts that fit, in order
      std::vector<uint64_t> times;
      for (size_t i = 0; i < sc.history.size(); ++i) {
        const uint64_t t = sc.history[(sc.history_next + i) % sc.history.size()];
        if (t != 0) times.push_back(t);
      }
      std::fill(s.history.begin(), s.history.end(), 0);
      s.history_next = 0;
      const size_t skip = times.size() > s.history.size() ? times.size() - s.history.size() : 0;
      for (size_t i = skip; i < times.size() && !s.history.empty(); ++i) {
        s.history[s.history_next] = times[i];
        s.history_next = (s.history_next + 1) % s.history.size();
      }
    }
    s.per_child.clear();
    for (const ChildCounts& cc : sc.per_child) s.per_child.push_back(child_record(m.pool, cc));
    const bool in_window = std::any_of(s.history.begin(), s.history.end(), [](uint64_t t) { return t != 0; });
    if (in_window) m.watch_budget(*n, s);  // the next tick works out its budget, and when it leaves
    Row r = n->index.find(s.actor, n->rows);
    if (r != kNoRow) m.note_actor(*n, n->rows[r]);
  }
  n->carried.clear();
  for (const CarriedCounts& cc : c.carried) {
    if (n->carried.size() >= kMaxCarriedSupervisors) break;
    SupervisorCarry& carry = n->carried[cc.path];
    carry.restarts = cc.restarts;
    carry.escalations = cc.escalations;
    for (const ChildCounts& ch : cc.per_child) carry.per_child.push_back(child_record(m.pool, ch));
  }
  n->gone_supervisor.clear();
  n->gone_supervisors.clear();
  for (const GoneSupervisorCounts& g : c.gone_supervisors) {
    if (m.settings.gone_supervisors_per_node == 0) break;
    if (!n->gone_supervisor.try_emplace(g.actor, NodeData::GoneSupervisor{g.parent, m.pool.intern(g.child_id)}).second) continue;
    n->gone_supervisors.push_back(g.actor);
    while (n->gone_supervisors.size() > m.settings.gone_supervisors_per_node) {
      n->gone_supervisor.erase(n->gone_supervisors.front());
      n->gone_supervisors.pop_front();
    }
  }
  auto labels = [&](const std::vector<std::pair<std::string, uint64_t>>& from, std::vector<std::pair<Str, uint64_t>>& to,
                    std::unordered_map<Str, uint32_t>& slots) {
    to.clear();
    slots.clear();
    for (const auto& [label, count] : from) {
      auto [slot, fresh] = slots.try_emplace(m.pool.intern(label), static_cast<uint32_t>(to.size()));
      if (fresh) to.emplace_back(slot->first, 0);
      to[slot->second].second += count;
    }
  };
  labels(c.restarts_by_label, n->restarts_by_label, n->restart_label_slots);
  labels(c.escalations_by_label, n->escalations_by_label, n->escalation_label_slots);
  n->drops_base = c.drops_base;
  n->drops_last = c.drops_last;
  for (size_t i = 0; i < proto::kDropKindCount; ++i) n->info.drops[i] = n->drops_base[i] + n->drops_last[i];
  n->drops_at_last_warning = c.drops_at_last_warning;
  // The series and the baselines of its next point, as they were: the rates go on from there.
  n->series.clear();
  const size_t keep = std::min(c.series.size(), n->series.capacity());
  for (size_t i = c.series.size() - keep; i < c.series.size(); ++i) n->series.push(c.series[i]);
  n->prev_step_ns = c.prev_step_ns;
  n->prev_messages = c.prev_messages;
  n->prev_restarts = c.prev_restarts;
  n->prev_crashes = c.prev_crashes;
  n->prev_drops = c.prev_drops;
  n->prev_telemetry = c.prev_telemetry;
  if (c.next_step_ns != 0) m.next_step_ns = c.next_step_ns;
  for (const TelemetryCounts& tc : c.telemetry) {
    TelemetryStats& t = *m.telemetry_slot(*n, key, m.pool.intern(tc.event));
    t.count = tc.count;
    t.count_at_step = tc.count_at_step;
    t.rate = tc.rate;
    for (const MeasurementStats& ms : t.measurements) n->telemetry_fine_buckets -= std::min(n->telemetry_fine_buckets, ms.fine.size());
    t.measurements.clear();
    for (const MeasurementCounts& mc : tc.measurements) {
      MeasurementStats& ms = t.measurements.emplace_back();
      ms.key = m.pool.intern(mc.key);
      ms.count = mc.count;
      ms.sum = mc.sum;
      ms.min = mc.min;
      ms.max = mc.max;
      ms.last = mc.last;
      ms.buckets = mc.buckets;
      ms.fine = mc.fine;
      ms.fine_dropped = mc.fine_dropped;
      n->telemetry_fine_buckets += ms.fine.size();
    }
  }
  n->info.telemetry_events = c.telemetry_events;
  // The warnings raised then, as they stood (no event: they were raised before the history begins).
  std::vector<WarningKey> held;
  for (const auto& [k, w] : m.row_warnings)
    if (k.node == key) held.push_back(k);
  for (const auto& [k, w] : m.other_warnings)
    if (k.node == key) held.push_back(k);
  for (const WarningKey& k : held) m.erase_warning(k);
  for (const WarningCounts& wc : c.warnings) {
    if (wc.kind >= kWarningKindCount || m.warnings_active() >= m.settings.max_warnings) continue;
    const auto kind = static_cast<WarningKind>(wc.kind);
    const WarningKey k{kind, key, wc.actor};
    Warning* w;
    if (Model::Impl::is_row_kind(kind)) {
      auto [it, fresh] = m.row_warnings.try_emplace(k);
      if (fresh) ++n->row_warnings;
      it->second = RowWarning{};
      w = &it->second.w;
      // Looked at again at the next step (its actor's row says what holds), or cleared then if it left.
      const Row row = n->index.find(wc.actor, n->rows);
      if (row != kNoRow) {
        n->rows[row].flags |= Model::Impl::warned_flag(kind);
        Model::Impl::recheck(*n, row, n->rows[row]);
      } else {
        n->warned_gone.emplace_back(wc.actor, Model::Impl::warned_flag(kind));
      }
    } else {
      w = &m.other_warnings[k];
    }
    *w = Warning{kind, key, wc.actor, wc.text, wc.since_ns, wc.seen_ns, wc.peak};  // (the row's flag is set above)
  }
  m.note_warnings_changed();
}

// What the model worked out of each actor's samples.
void restore_actors(Model::Impl& m, NodeData* n, const std::vector<ActorCounts>& actors) {
  for (const ActorCounts& ac : actors) {
    const Row row = n->index.find(ac.actor, n->rows);
    if (row == kNoRow) continue;
    Actor& a = n->rows[row];
    a.messages_per_s = ac.messages_per_s;
    a.fill_per_s = ac.fill_per_s;
    a.growth_streak = ac.growth_streak;
    a.growth_base = ac.growth_base;
    a.last_sample_ns = ac.last_sample_ns;
    a.last_progress_ns = ac.last_progress_ns;
    if ((a.messages_per_s > 0 || a.fill_per_s > 0) && !(a.flags & kActorRated)) {
      a.flags |= kActorRated;
      n->rated.push_back(row);
    }
    Model::Impl::recheck(*n, row, a);
    m.note_actor(*n, a);
  }
}

}  // namespace

void Model::restore_counts(NodeKey key, const NodeCounts& c) {
  Impl& m = *impl_;
  NodeData* n = m.node(key);
  if (!n) return;
  if (!c.actors_only) restore_node(m, key, n, c);
  restore_actors(m, n, c.actors);
  m.note_change(key, ChangeKind::NodeChanged, 0);
  if (history_) {
    std::vector<uint8_t> bytes;
    encode_counts(bytes, c);
    history_->on_counts(*this, m.now, key, bytes.data(), bytes.size());
  }
}

// ---- bytes ---------------------------------------------------------------------------------------
namespace {
constexpr uint64_t kMaxItems = 1u << 20;  // of any list in the counts

template <class Type, class Fn>  // fn(counter) for each counter of a type, in the order they are written
void for_each_counter(Type& t, Fn&& fn) {
  fn(t.spawns);
  fn(t.exits);
  fn(t.retired_enqueued);
  fn(t.retired_dequeued);
  fn(t.retired_busy_ns);
  for (auto& c : t.retired_hist) fn(c);
  for (auto& c : t.exit_reasons) fn(c);
}

void put_children(proto::Writer& w, const std::vector<ChildCounts>& children) {
  w.varint(children.size());
  for (const ChildCounts& c : children) {
    w.str(c.child_id);
    w.varint(c.restarts);
    w.varint(c.current);
    w.varint(c.last_crash_actor);
    w.varint(c.last_crash_wall_ns);
    w.u8(static_cast<uint8_t>(c.last_reason));
  }
}
// A list's length, bounded by its limit and by what the bytes left can hold at `min_bytes` an
// item: a hostile file cannot make a few bytes claim millions of items.
bool count(proto::Reader& r, uint64_t& n, size_t min_bytes = 1) {
  n = r.varint();
  if (r.ok() && (n > kMaxItems || n > r.remaining() / min_bytes)) r.fail("a list longer than its limit");
  return r.ok();
}
// The fewest bytes each kind of item takes.
constexpr size_t kMinType = 1 + 1 + 21 * 3, kMinChild = 6, kMinSupervisor = 9, kMinCarried = 4, kMinGone = 3,
                 kMinLabel = 2, kMinPoint = 1 + 9 * 8, kMinActor = 1 + 16 + 1 + 3, kMinTelemetry = 1 + 2 + 8 + 1,
                 kMinMeasurement = 1 + 1 + 4 * 8 + 64 + 1 + 1, kMinFine = 5, kMinWarning = 1 + 1 + 1 + 3;
std::string text(proto::Reader& r) { return std::string(r.str(proto::kMaxStringLen)); }
bool get_children(proto::Reader& r, std::vector<ChildCounts>& children) {
  uint64_t n = 0;
  if (!count(r, n, kMinChild)) return false;
  children.resize(static_cast<size_t>(n));
  for (ChildCounts& c : children) {
    c.child_id = text(r);
    c.restarts = r.varint();
    c.current = r.varint();
    c.last_crash_actor = r.varint();
    c.last_crash_wall_ns = r.varint();
    const uint8_t reason = r.u8();
    if (reason >= proto::kExitReasonCount) r.fail("an unknown exit reason");
    c.last_reason = static_cast<proto::ExitReason>(reason);
    if (!r.ok()) return false;
  }
  return true;
}
void put_labels(proto::Writer& w, const std::vector<std::pair<std::string, uint64_t>>& labels) {
  w.varint(labels.size());
  for (const auto& [label, n] : labels) {
    w.str(label);
    w.varint(n);
  }
}
bool get_labels(proto::Reader& r, std::vector<std::pair<std::string, uint64_t>>& labels) {
  uint64_t n = 0;
  if (!count(r, n, kMinLabel)) return false;
  labels.resize(static_cast<size_t>(n));
  for (auto& [label, v] : labels) {
    label = text(r);
    v = r.varint();
  }
  return r.ok();
}
}  // namespace

void encode_counts(std::vector<uint8_t>& out, const NodeCounts& c) {
  proto::Writer w(out);
  w.u8(c.actors_only ? 1 : 0);
  for (uint64_t v : {c.restarts, c.crashes, c.escalations, c.unseen_exits, c.reconnects, c.app_restarts, c.telemetry_events})
    w.varint(v);
  w.varint(c.types.size());
  for (const TypeCounts& t : c.types) {
    w.str(t.type);
    w.u8(t.agent_reports_reasons ? 1 : 0);
    for_each_counter(t, [&](const MonotoneCounter& k) {
      w.varint(k.base);
      w.varint(k.local);
      w.varint(k.agent);
    });
  }
  w.varint(c.supervisors.size());
  for (const SupervisorCounts& s : c.supervisors) {
    for (uint64_t v : {s.actor, s.restarts, s.restart_records, s.reported_restarts, s.restarts_before, s.escalations}) w.varint(v);
    w.varint(s.history.size());
    for (uint64_t t : s.history) w.varint(t);
    w.varint(s.history_next);
    put_children(w, s.per_child);
  }
  w.varint(c.carried.size());
  for (const CarriedCounts& cc : c.carried) {
    w.varint(cc.path);
    w.varint(cc.restarts);
    w.varint(cc.escalations);
    put_children(w, cc.per_child);
  }
  w.varint(c.gone_supervisors.size());
  for (const GoneSupervisorCounts& g : c.gone_supervisors) {
    w.varint(g.actor);
    w.varint(g.parent);
    w.str(g.child_id);
  }
  put_labels(w, c.restarts_by_label);
  put_labels(w, c.escalations_by_label);
  for (uint64_t v : c.drops_base) w.varint(v);
  for (uint64_t v : c.drops_last) w.varint(v);
  w.varint(c.drops_at_last_warning);
  w.varint(c.series.size());
  for (const SeriesPoint& p : c.series) {
    w.varint(p.at_ns);
    for (float f : {p.seconds, p.live_actors, p.messages_per_s, p.restarts_per_s, p.crashes_per_s, p.mailbox_total,
                    p.mailbox_max, p.drops_per_s, p.telemetry_per_s})
      w.f64(static_cast<double>(f));
  }
  for (uint64_t v : {c.prev_step_ns, c.prev_messages, c.prev_restarts, c.prev_crashes, c.prev_drops, c.prev_telemetry, c.next_step_ns})
    w.varint(v);
  w.varint(c.actors.size());
  for (const ActorCounts& a : c.actors) {
    w.varint(a.actor);
    w.f64(static_cast<double>(a.messages_per_s));
    w.f64(static_cast<double>(a.fill_per_s));
    w.u8(a.growth_streak);
    w.varint(a.growth_base);
    w.varint(a.last_sample_ns);
    w.varint(a.last_progress_ns);
  }
  w.varint(c.telemetry.size());
  for (const TelemetryCounts& t : c.telemetry) {
    w.str(t.event);
    w.varint(t.count);
    w.varint(t.count_at_step);
    w.f64(t.rate);
    w.varint(t.measurements.size());
    for (const MeasurementCounts& x : t.measurements) {
      w.str(x.key);
      w.varint(x.count);
      for (double d : {x.sum, x.min, x.max, x.last}) w.f64(d);
      for (uint64_t b : x.buckets) w.varint(b);
      w.varint(x.fine.size());
      for (const proto::FineBucket& f : x.fine) {
        w.u32(static_cast<uint32_t>(f.index));
        w.varint(f.count);
      }
      w.u8(x.fine_dropped ? 1 : 0);
    }
  }
  w.varint(c.warnings.size());
  for (const WarningCounts& x : c.warnings) {
    w.u8(x.kind);
    w.varint(x.actor);
    w.str(x.text);
    w.varint(x.since_ns);
    w.varint(x.seen_ns);
    w.varint(x.peak);
  }
}

bool decode_counts(const uint8_t* p, size_t len, NodeCounts& c) {
  c = NodeCounts{};
  proto::Reader r(p, len);
  c.actors_only = (r.u8() & 1) != 0;
  for (uint64_t* v : {&c.restarts, &c.crashes, &c.escalations, &c.unseen_exits, &c.reconnects, &c.app_restarts, &c.telemetry_events})
    *v = r.varint();
  uint64_t n = 0;
  if (!count(r, n, kMinType)) return false;
  c.types.resize(static_cast<size_t>(n));
  for (TypeCounts& t : c.types) {
    t.type = text(r);
    t.agent_reports_reasons = r.u8() != 0;
    for_each_counter(t, [&](MonotoneCounter& k) {
      k.base = r.varint();
      k.local = r.varint();
      k.agent = r.varint();
    });
    if (!r.ok()) return false;
  }
  if (!count(r, n, kMinSupervisor)) return false;
  c.supervisors.resize(static_cast<size_t>(n));
  for (SupervisorCounts& s : c.supervisors) {
    for (uint64_t* v : {&s.actor, &s.restarts, &s.restart_records, &s.reported_restarts, &s.restarts_before, &s.escalations})
      *v = r.varint();
    uint64_t h = 0;
    if (!count(r, h)) return false;
    s.history.resize(static_cast<size_t>(h));
    for (uint64_t& t : s.history) t = r.varint();
    s.history_next = r.varint();
    if (!get_children(r, s.per_child)) return false;
  }
  if (!count(r, n, kMinCarried)) return false;
  c.carried.resize(static_cast<size_t>(n));
  for (CarriedCounts& cc : c.carried) {
    cc.path = r.varint();
    cc.restarts = r.varint();
    cc.escalations = r.varint();
    if (!get_children(r, cc.per_child)) return false;
  }
  if (!count(r, n, kMinGone)) return false;
  c.gone_supervisors.resize(static_cast<size_t>(n));
  for (GoneSupervisorCounts& g : c.gone_supervisors) {
    g.actor = r.varint();
    g.parent = r.varint();
    g.child_id = text(r);
  }
  if (!get_labels(r, c.restarts_by_label) || !get_labels(r, c.escalations_by_label)) return false;
  for (uint64_t& v : c.drops_base) v = r.varint();
  for (uint64_t& v : c.drops_last) v = r.varint();
  c.drops_at_last_warning = r.varint();
  if (!count(r, n, kMinPoint)) return false;
  c.series.resize(static_cast<size_t>(n));
  for (SeriesPoint& pt : c.series) {
    pt.at_ns = r.varint();
    for (float* f : {&pt.seconds, &pt.live_actors, &pt.messages_per_s, &pt.restarts_per_s, &pt.crashes_per_s, &pt.mailbox_total,
                     &pt.mailbox_max, &pt.drops_per_s, &pt.telemetry_per_s})
      *f = static_cast<float>(r.f64());
  }
  for (uint64_t* v : {&c.prev_step_ns, &c.prev_messages, &c.prev_restarts, &c.prev_crashes, &c.prev_drops, &c.prev_telemetry,
                      &c.next_step_ns})
    *v = r.varint();
  if (!count(r, n, kMinActor)) return false;
  c.actors.resize(static_cast<size_t>(n));
  for (ActorCounts& a : c.actors) {
    a.actor = r.varint();
    a.messages_per_s = static_cast<float>(r.f64());
    a.fill_per_s = static_cast<float>(r.f64());
    a.growth_streak = r.u8();
    a.growth_base = r.varint();
    a.last_sample_ns = r.varint();
    a.last_progress_ns = r.varint();
  }
  if (!count(r, n, kMinTelemetry)) return false;
  c.telemetry.resize(static_cast<size_t>(n));
  for (TelemetryCounts& t : c.telemetry) {
    t.event = text(r);
    t.count = r.varint();
    t.count_at_step = r.varint();
    t.rate = r.f64();
    uint64_t k = 0;
    if (!count(r, k, kMinMeasurement)) return false;
    t.measurements.resize(static_cast<size_t>(k));
    for (MeasurementCounts& x : t.measurements) {
      x.key = text(r);
      x.count = r.varint();
      for (double* d : {&x.sum, &x.min, &x.max, &x.last}) *d = r.f64();
      for (uint64_t& b : x.buckets) b = r.varint();
      uint64_t f = 0;
      if (!count(r, f, kMinFine)) return false;
      x.fine.resize(static_cast<size_t>(f));
      for (proto::FineBucket& fb : x.fine) {
        fb.index = static_cast<int32_t>(r.u32());
        fb.count = r.varint();
      }
      x.fine_dropped = r.u8() != 0;
    }
  }
  if (!count(r, n, kMinWarning)) return false;
  c.warnings.resize(static_cast<size_t>(n));
  for (WarningCounts& x : c.warnings) {
    x.kind = r.u8();
    x.actor = r.varint();
    x.text = text(r);
    x.since_ns = r.varint();
    x.seen_ns = r.varint();
    x.peak = r.varint();
  }
  return r.ok();
}

}  // namespace actorscope::collector
