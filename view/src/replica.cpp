// Applies the viewer conversation's snapshot and deltas to the viewer's copy of the model.
#include "actorscope/view/replica.hpp"

#include <algorithm>

#include "actorscope/view/display.hpp"
#include "actorscope/view/exit_chain.hpp"  // is_escalation

namespace actorscope::view {

namespace {
constexpr size_t kMaxDepth = 4096;  // deeper parent chains (or cycles from bad input) are cut here
SubtreeTotals own(const pv::ActorStats& s) { return {1, s.mailbox, s.restarts, s.msgs_per_s_x100}; }
// Unsigned arithmetic wraps, so a difference added later restores the exact sum.
void add(SubtreeTotals& t, const SubtreeTotals& d, bool subtract) {
  if (subtract) {
    t.actors -= d.actors;
    t.mailbox -= d.mailbox;
    t.restarts -= d.restarts;
    t.msgs_per_s_x100 -= d.msgs_per_s_x100;
  } else {
    t.actors += d.actors;
    t.mailbox += d.mailbox;
    t.restarts += d.restarts;
    t.msgs_per_s_x100 += d.msgs_per_s_x100;
  }
}
}  // namespace

Replica::Replica(ReplicaSettings settings) : settings_(settings) {}

bool Replica::apply(const uint8_t* payload, size_t len) {
  auto res = pv::decode_messages(payload, len, *this);
  if (!res.ok) {
    error_ = res.error ? res.error : "malformed view frame";
    return false;
  }
  return true;
}

const pv::NodeRow* Replica::node(NodeId id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : &it->second;
}

NodeId Replica::find_node(std::string_view name) const {
  for (const auto& [id, n] : nodes_)
    if (n.name == name) return id;
  return 0;
}

std::string Replica::former_name(ActorKey k) const {
  auto it = former_names_.find(k);
  return it == former_names_.end() ? std::string() : it->second;
}

const Actor* Replica::actor(ActorKey k) const {
  auto it = index_.find(k);
  return it == index_.end() ? nullptr : &actors_[it->second];
}

const std::vector<uint64_t>* Replica::children(ActorKey parent) const {
  auto it = children_.find(parent);
  return it == children_.end() ? nullptr : &it->second;
}

void Replica::watch(std::optional<ActorKey> k) {
  if (k != watched_) watched_mailbox_.clear();
  watched_ = k;
}

TotalsPoint Replica::totals(NodeId node) const {
  TotalsPoint t;
  t.wall_ns = last_tick_.wall_ns;
  for (const auto& [id, n] : nodes_) {
    if (node != 0 && id != node) continue;
    // A gone node's rows are its last state, not live actors: only a node asked for by
    // name shows them (marked gone by the header).
    if (node == 0 && !n.connected) continue;
    t.actors += n.actors;
    t.msgs_per_s += static_cast<double>(n.msgs_per_s_x100) / 100.0;
    t.restarts_per_min += static_cast<double>(n.restarts_per_min_x100) / 100.0;
    t.mailbox_total += n.mailbox_total;
    t.drops += n.drops;
  }
  return t;
}

void Replica::clear() {
  forget_changes();
  last_row_ = kNoRow;
  last_list_ = nullptr;
  nodes_.clear();
  actors_.clear();
  index_.clear();
  children_.clear();
  warnings_.clear();
  telemetry_.clear();
  flow_.clear();
}

void Replica::on(const pv::SnapshotBegin& m) {
  clear();
  events_.clear();  // the snapshot carries the recent ones again
  telemetry_events_ = 0;
  incident_events_ = 0;
  incidents_past_bound_ = 0;
  in_snapshot_ = true;
  snapshot_actors_ = m.actors;
  actors_.reserve(static_cast<size_t>(std::min<uint64_t>(m.actors, 1u << 24)));
  index_.reserve(static_cast<size_t>(std::min<uint64_t>(m.actors, 1u << 24)));
}

// A refusal leaves what is shown as it was (live or the instant before); only its message
// and the history's reach are new.
void Replica::on(const pv::InstantShown& m) {
  if (m.mode == pv::InstantMode::Refused) {
    instant_.message = m.message;
    instant_.begins_wall_ns = m.begins_wall_ns;
    instant_.ends_wall_ns = m.ends_wall_ns;
    instant_.request = m.request;
    return;
  }
  instant_ = m;
  instant_snapshots_ = snapshots_;  // the instant's own snapshot follows
}

void Replica::on(const pv::SnapshotEnd&) {
  in_snapshot_ = false;
  ++snapshots_;
  // What a snapshot brought was not journalled (rows added, moved and removed while it
  // streamed across ticks): a reader that looked in the middle of it must rebuild, or its
  // rows no longer line up with the actors (Actors sorted by mailbox showed idle supervisors
  // on top of a 6.8k backlog).
  forget_changes();
}

void Replica::on(const pv::NodeRow& m) { nodes_[m.node] = m; }

void Replica::on(const pv::NodeRemoved& m) {
  nodes_.erase(m.node);
  std::vector<ActorKey> gone;
  for (const Actor& a : actors_)
    if (a.row.node == m.node) gone.push_back(a.key());
  for (ActorKey k : gone) remove_actor(k);
  std::erase_if(telemetry_, [&](const auto& kv) { return kv.first.first == m.node; });
  std::erase_if(flow_, [&](const auto& kv) { return std::get<0>(kv.first) == m.node; });
}

std::vector<uint64_t>& Replica::children_list(ActorKey parent) {
  if (last_list_ && last_list_key_ == parent) return *last_list_;
  last_list_key_ = parent;
  last_list_ = &children_[parent];  // element references survive rehashing
  return *last_list_;
}

void Replica::link_child(const Actor& a, uint32_t row) {
  auto& list = children_list(ActorKey{a.row.node, a.row.parent});
  actors_[row].pos_in_parent = static_cast<uint32_t>(list.size());
  list.push_back(a.row.actor);
}

// Swap-removes the actor from its parent's list, fixing the moved sibling's position.
void Replica::unlink_child(const Actor& a) {
  auto it = children_.find(ActorKey{a.row.node, a.row.parent});
  if (it == children_.end()) return;
  auto& list = it->second;
  uint32_t pos = a.pos_in_parent;
  if (pos >= list.size() || list[pos] != a.row.actor) return;
  if (pos + 1 != list.size()) {
    list[pos] = list.back();
    auto moved = index_.find(ActorKey{a.row.node, list[pos]});
    if (moved != index_.end()) actors_[moved->second].pos_in_parent = pos;
  }
  list.pop_back();
  if (list.empty()) {
    if (last_list_ == &list) last_list_ = nullptr;
    children_.erase(it);
  }
}

uint32_t Replica::row_of(ActorKey k) const {
  if (k.actor == 0) return kNoRow;
  if (last_row_ < actors_.size() && last_key_ == k && actors_[last_row_].key() == k) return last_row_;
  auto it = index_.find(k);
  if (it == index_.end()) return kNoRow;
  last_key_ = k;
  last_row_ = it->second;
  return it->second;
}

// Points the children of `parent` at its row (kNoRow: they became orphans).
void Replica::set_children_parent_row(ActorKey parent, uint32_t row) {
  auto it = children_.find(parent);
  if (it == children_.end()) return;
  for (uint64_t c : it->second) {
    uint32_t cr = row_of(ActorKey{parent.node, c});
    if (cr != kNoRow) actors_[cr].parent_row = row;
  }
}

// Adds (or takes away) a subtree's totals along the parent chain starting at `parent_row`.
void Replica::add_to_ancestors(uint32_t parent_row, const SubtreeTotals& t, bool subtract, uint32_t self) {
  size_t steps = 0;
  for (uint32_t r = parent_row; r != kNoRow && r != self && steps < kMaxDepth; r = actors_[r].parent_row, ++steps)
    add(actors_[r].subtree, t, subtract);
}

void Replica::record(const ActorChange& c) {
  if (in_snapshot_) return;  // a snapshot replaces everything: readers rebuild
  if (changes_.size() >= settings_.max_changes) {
    changes_dropped_ += changes_.size();
    forget_changes();
  }
  changes_.push_back(c);
}

// Readers holding any earlier position must rebuild: the sequence jumps past them.
void Replica::forget_changes() {
  changes_base_ += changes_.size() + 1;
  changes_.clear();
  tick_seqs_.clear();
}

std::optional<std::span<const ActorChange>> Replica::changes_since(uint64_t seq) const {
  if (seq < changes_base_ || seq > change_seq()) return std::nullopt;
  size_t from = static_cast<size_t>(seq - changes_base_);
  return std::span<const ActorChange>(changes_.data() + from, changes_.size() - from);
}

void Replica::on(const pv::ActorRow& m) {
  ActorKey k{m.node, m.actor};
  uint32_t parent_row = row_of(ActorKey{m.node, m.parent});
  auto [it, inserted] = index_.try_emplace(k, static_cast<uint32_t>(actors_.size()));
  if (inserted) {
    uint32_t row = it->second;
    Actor& a = actors_.emplace_back();
    a.row = m;
    a.stats.node = m.node;
    a.stats.actor = m.actor;
    a.parent_row = parent_row;
    a.subtree = SubtreeTotals{1, 0, 0, 0};
    link_child(a, row);
    set_children_parent_row(k, row);  // children that arrived before it
    if (const auto* kids = children(k))
      for (uint64_t c : *kids) {
        uint32_t cr = row_of(ActorKey{m.node, c});
        if (cr != kNoRow && cr != row) add(actors_[row].subtree, actors_[cr].subtree, false);
      }
    add_to_ancestors(parent_row, actors_[row].subtree, false, row);
    record({k, m.parent, 0, row, kNoRow, ActorChangeKind::Spawned});
    last_key_ = k;
    last_row_ = row;
    return;
  }
  uint32_t row = it->second;
  Actor& a = actors_[row];
  uint64_t old_parent = a.row.parent;
  if (a.row.parent != m.parent) {
    add_to_ancestors(a.parent_row, a.subtree, true, row);
    unlink_child(a);
    a.row = m;
    a.parent_row = row_of(ActorKey{m.node, m.parent});
    link_child(a, row);
    add_to_ancestors(a.parent_row, a.subtree, false, row);
  } else {
    a.row = m;
  }
  record({k, m.parent, old_parent, row, kNoRow, ActorChangeKind::Row});
}

void Replica::on(const pv::ActorStats& m) {
  uint32_t row = row_of(ActorKey{m.node, m.actor});
  if (row == kNoRow) return;  // its row comes first; a stray stats record is ignored
  Actor& a = actors_[row];
  SubtreeTotals delta = own(m);
  add(delta, own(a.stats), true);
  a.stats = m;
  add(a.subtree, delta, false);
  add_to_ancestors(a.parent_row, delta, false, row);
  record({a.key(), a.row.parent, 0, row, kNoRow, ActorChangeKind::Stats});
}

void Replica::remove_actor(ActorKey k) {
  auto it = index_.find(k);
  if (it == index_.end()) return;
  uint32_t row = it->second;
  {
    const Actor& a = actors_[row];
    if (a.is_supervisor()) remember_former(k, display_name(a));
    add_to_ancestors(a.parent_row, a.subtree, true, row);  // its children stay, as orphans
    uint32_t last_row = static_cast<uint32_t>(actors_.size() - 1);
    record({k, a.row.parent, 0, row, row == last_row ? kNoRow : last_row, ActorChangeKind::Exited});
  }
  unlink_child(actors_[row]);
  index_.erase(it);
  set_children_parent_row(k, kNoRow);
  uint32_t last = static_cast<uint32_t>(actors_.size() - 1);
  if (row != last) {
    actors_[row] = std::move(actors_[last]);
    index_[actors_[row].key()] = row;
    set_children_parent_row(actors_[row].key(), row);
  }
  actors_.pop_back();
}

void Replica::on(const pv::ActorRemoved& m) { remove_actor(ActorKey{m.node, m.actor}); }

namespace {
// Incidents are kept apart from routine events, so that a storm of restarts or exits on one
// node cannot push another node's crash out of the list.
bool is_incident(const pv::Event& e) {
  switch (e.kind) {
    case pv::EventKind::Crashed:
    case pv::EventKind::NodeDown:
    case pv::EventKind::Command:
    case pv::EventKind::Warning: return e.not_sent == 0;
    default: return false;
  }
}
}  // namespace

void Replica::remember_former(ActorKey k, std::string name) {
  if (settings_.former_names == 0) return;
  if (former_names_.insert_or_assign(k, std::move(name)).second) former_order_.push_back(k);
  while (former_order_.size() > settings_.former_names) {
    former_names_.erase(former_order_.front());
    former_order_.pop_front();
  }
}

void Replica::on(const pv::Event& m) {
  if (!events_.empty() && m.seq != 0 && m.seq <= events_.back().seq) return;  // already have it
  // A supervisor that escalated before this viewer saw it live is known by this event's name,
  // so that its children's earlier crashes name it too (they read "<351>" before).
  if (is_escalation(m) && !m.name.empty() && !actor({m.node, m.actor}) && !former_names_.count({m.node, m.actor}))
    remember_former({m.node, m.actor}, m.name);
  events_.push_back(m);
  if (m.kind == pv::EventKind::Telemetry) ++telemetry_events_;
  if (is_incident(m)) ++incident_events_;
  // Trimmed at the frame's Tick (one pass for the whole frame); here only past twice the bounds.
  size_t routine = events_.size() - telemetry_events_ - incident_events_;
  if (telemetry_events_ > 2 * std::max<size_t>(settings_.max_telemetry_events, 1) ||
      incident_events_ > 2 * std::max<size_t>(settings_.max_incident_events, 1) + incidents_past_bound_ ||
      routine > 2 * std::max<size_t>(settings_.max_events, 1))
    trim_events();
}

void Replica::on(const pv::EventsGap& m) {
  if (!events_.empty() && m.after_seq + 1 <= events_.back().seq) return;  // overlaps what we have
  pv::Event gap;
  gap.seq = m.after_seq + 1;
  gap.not_sent = m.count;
  gap.wall_ns = events_.empty() ? 0 : events_.back().wall_ns;  // about when: after the row before it
  events_.push_back(std::move(gap));
  events_not_sent_ += m.count;
}

// Each share drops its own oldest events: telemetry and routine events never push out a
// crash. Events stay in seq order; one pass over the log.
void Replica::trim_events() {
  auto over = [](size_t n, size_t max) { return n > max ? n - max : 0; };
  size_t routine = events_.size() - telemetry_events_ - incident_events_;
  size_t extra_telemetry = over(telemetry_events_, settings_.max_telemetry_events);
  size_t extra_incident = over(incident_events_, settings_.max_incident_events);
  size_t extra_routine = over(routine, settings_.max_events);
  if (extra_telemetry == 0 && extra_incident == 0 && extra_routine == 0) return;
  // The incidents past the bound (the oldest extra_incident) go, but for each node's newest
  // few among them: a crash storm on one node leaves another node its last crashes.
  std::unordered_map<NodeId, size_t> past_of;
  for (size_t i = 0, past = 0; i < events_.size() && past < extra_incident; ++i)
    if (is_incident(events_[i])) ++past_of[events_[i].node], ++past;
  size_t floor = settings_.incidents_kept_per_node;
  size_t past_left = extra_incident;
  incidents_past_bound_ = 0;
  size_t kept = 0;
  for (size_t i = 0; i < events_.size(); ++i) {
    pv::Event& e = events_[i];
    bool telemetry = e.kind == pv::EventKind::Telemetry;
    bool incident = is_incident(e);
    bool drop;
    if (incident) {
      drop = false;
      if (past_left > 0) {
        --past_left;
        size_t& left = past_of[e.node];
        drop = left > floor;
        --left;
        if (!drop) ++incidents_past_bound_;
      }
    } else {
      size_t& extra = telemetry ? extra_telemetry : extra_routine;
      drop = extra > 0;
      if (drop) --extra;
    }
    if (drop) {
      if (telemetry) --telemetry_events_;
      if (incident) --incident_events_;
      if (e.not_sent == 0) {  // a gap row stands for no event of its own
        ++events_dropped_;
        if (static_cast<size_t>(e.kind) < pv::kEventKindCount) ++events_dropped_by_kind_[static_cast<size_t>(e.kind)];
      }
      continue;
    }
    if (kept != i) events_[kept] = std::move(e);
    ++kept;
  }
  events_.resize(kept);
}

void Replica::on(const pv::Warnings& m) { warnings_ = m.warnings; }

void Replica::on(const pv::TelemetryRow& m) { telemetry_[{m.node, m.event}] = m; }

void Replica::on(const pv::FlowRow& m) { flow_[{m.node, m.from_type, m.to_type}] = m; }

const std::deque<TotalsPoint>& Replica::history(NodeId node) const {
  if (node == 0) return history_;
  auto it = node_history_.find(node);
  return it == node_history_.end() ? no_history_ : it->second;
}

void Replica::on(const pv::Tick& m) {
  trim_events();
  last_tick_ = m;
  ++version_;
  // Keep a few ticks of changes for readers that skip frames; older ones go.
  tick_seqs_.push_back(change_seq());
  while (tick_seqs_.size() > std::max<size_t>(settings_.change_ticks_kept, 1)) {
    uint64_t cut = tick_seqs_.front();
    tick_seqs_.pop_front();
    if (cut > changes_base_) {
      changes_.erase(changes_.begin(), changes_.begin() + static_cast<ptrdiff_t>(cut - changes_base_));
      changes_base_ = cut;
    }
  }
  auto record = [&](std::deque<TotalsPoint>& h, NodeId node) {
    TotalsPoint t = totals(node);
    t.wall_ns = m.wall_ns;
    h.push_back(t);
    while (h.size() > settings_.history_points) h.pop_front();
  };
  record(history_, 0);
  if (nodes_.size() > 1)  // with one node, its history is the whole history
    for (const auto& [id, n] : nodes_) record(node_history_[id], id);
  std::erase_if(node_history_, [&](const auto& kv) { return !nodes_.count(kv.first); });
  if (watched_) {
    const Actor* a = actor(*watched_);
    watched_mailbox_.push_back(a ? a->stats.mailbox : 0);
    while (watched_mailbox_.size() > settings_.watched_points) watched_mailbox_.pop_front();
  }
}

}  // namespace actorscope::view
