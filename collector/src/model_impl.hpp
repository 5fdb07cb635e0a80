// Internal state of the Model (shared by the model_*.cpp files; not a public header).
#pragma once

#include <map>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actorscope/collector/model.hpp"

namespace actorscope::collector {

inline constexpr Str kUndefinedString = 0xffffffffu;

// Open-addressing index actor id -> row (linear probing, backward-shift deletion, no
// tombstones). Slots hold row indices; the id is read from the row itself.
class ActorIndex {
 public:
  Row find(uint64_t id, const std::vector<Actor>& rows) const {
    if (slots_.empty()) return kNoRow;
    size_t mask = slots_.size() - 1;
    for (size_t i = hash(id) & mask;; i = (i + 1) & mask) {
      Row r = slots_[i];
      if (r == kNoRow) return kNoRow;
      if (rows[r].id == id) return r;
    }
  }
  void insert(uint64_t id, Row row, const std::vector<Actor>& rows) {
    if ((size_ + 1) * 2 > slots_.size()) grow(rows);
    place(id, row);
    ++size_;
  }
  void erase(uint64_t id, const std::vector<Actor>& rows) {
    if (slots_.empty()) return;
    size_t mask = slots_.size() - 1;
    size_t i = hash(id) & mask;
    for (;; i = (i + 1) & mask) {
      if (slots_[i] == kNoRow) return;
      if (rows[slots_[i]].id == id) break;
    }
    // Backward shift: pull later members of the probe run into the hole.
    size_t hole = i;
    for (size_t j = (i + 1) & mask; slots_[j] != kNoRow; j = (j + 1) & mask) {
      size_t home = hash(rows[slots_[j]].id) & mask;
      bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = kNoRow;
    --size_;
  }
  void clear() {
    slots_.clear();
    size_ = 0;
  }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Row); }

 private:
  static size_t hash(uint64_t id) { return static_cast<size_t>((id * 0x9E3779B97F4A7C15ull) >> 17); }
  void place(uint64_t id, Row row) {
    size_t mask = slots_.size() - 1;
    size_t i = hash(id) & mask;
    while (slots_[i] != kNoRow) i = (i + 1) & mask;
    slots_[i] = row;
  }
  void grow(const std::vector<Actor>& rows) {
    std::vector<Row> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, kNoRow);
    for (Row r : old)
      if (r != kNoRow) place(rows[r].id, r);
  }
  std::vector<Row> slots_;
  size_t size_ = 0;
};

struct NodeData {
  Node info;
  std::vector<Str> strings;            // agent StringId -> Str (kUndefinedString: not defined)
  std::vector<Actor> rows;
  std::vector<Row> free_rows;
  ActorIndex index;
  Row root_first = kNoRow;             // roots list; prev_sibling of the first is the last
  std::unordered_map<uint64_t, std::vector<Row>> orphans;  // by the parent id they wait for
  std::vector<Row> watched;            // rows whose mailbox was > 0 at their last sample
  std::vector<TypeAggregate> types;
  std::unordered_map<Str, uint32_t> type_slots;
  std::vector<TelemetryStats> telemetry;
  std::unordered_map<Str, uint32_t> telemetry_slots;
  std::unordered_map<uint64_t, Supervisor> supervisors;
  std::vector<std::pair<Str, uint64_t>> restarts_by_label;
  std::unordered_map<Str, uint32_t> restart_label_slots;
  std::array<uint64_t, proto::kDropKindCount> drops_base{};
  std::array<uint64_t, proto::kDropKindCount> drops_last{};
  uint16_t epoch = 0;
  uint64_t snapshot_id = 0;
  Row hint = kNoRow;                   // row of the last actor looked up by a stats record

  // Agents flush their cells in table order, which is spawn order, which is mostly row
  // order: try the row after the last one before hashing.
  Row find_next_in_order(uint64_t id) {
    Row guess = hint + 1;
    if (guess < rows.size() && rows[guess].id == id) return hint = guess;
    Row r = index.find(id, rows);
    if (r != kNoRow) hint = r;
    return r;
  }
  // Time series ring and the counters its rates are taken from.
  std::vector<SeriesPoint> series;
  size_t series_next = 0;
  size_t series_count = 0;
  uint64_t prev_step_ns = 0;
  uint64_t prev_messages = 0, prev_restarts = 0, prev_crashes = 0, prev_drops = 0, prev_telemetry = 0;
  uint64_t drops_at_last_lint = 0;
};

struct LintKey {
  LintKind kind;
  NodeKey node;
  uint64_t actor;
  bool operator<(const LintKey& o) const {
    if (kind != o.kind) return kind < o.kind;
    if (node != o.node) return node < o.node;
    return actor < o.actor;
  }
};

struct Model::Impl {
  explicit Impl(ModelSettings s) : settings(std::move(s)) {
    events.resize(settings.event_log_capacity ? settings.event_log_capacity : 1);
    journal.resize(settings.journal_capacity ? settings.journal_capacity : 1);
  }

  ModelSettings settings;
  StringPool pool;
  uint64_t now = 0;
  uint64_t next_step_ns = 0;
  std::vector<std::unique_ptr<NodeData>> nodes;  // index = key - 1; null when forgotten
  std::unordered_map<std::string, NodeKey> by_name;
  NodeKey cached_key = 0;
  NodeData* cached = nullptr;

  // Event log ring: event with seq s lives at (s - 1) % capacity.
  std::vector<Event> events;
  uint64_t next_seq = 1;
  uint64_t events_dropped = 0;

  // Change journal ring.
  std::vector<Change> journal;
  size_t journal_head = 0;   // oldest
  size_t journal_count = 0;
  uint64_t journal_lost_version = 0;  // highest version pushed out
  uint64_t journal_dropped = 0;
  uint64_t version = 0;
  bool dirty = false;

  std::map<LintKey, Lint> active_lints;
  std::vector<Lint> lint_list;
  uint64_t lints_over_cap = 0;

  uint64_t records = 0;
  std::array<uint64_t, kAnomalyCount> anomalies{};

  // ---- helpers ----
  NodeData* node(NodeKey key) {
    if (key == cached_key && cached) return cached;
    if (key == 0 || key > nodes.size() || !nodes[key - 1]) {
      anomaly(Anomaly::UnknownNode);
      return nullptr;
    }
    cached_key = key;
    cached = nodes[key - 1].get();
    return cached;
  }
  const NodeData* node(NodeKey key) const {
    if (key == 0 || key > nodes.size()) return nullptr;
    return nodes[key - 1].get();
  }
  void anomaly(Anomaly a) { ++anomalies[static_cast<size_t>(a)]; }
  Str resolve(NodeData& n, proto::StringId id) {
    if (id == 0) return 0;
    if (id < n.strings.size() && n.strings[id] != kUndefinedString) return n.strings[id];
    anomaly(Anomaly::UnknownString);
    return 0;
  }
  uint64_t wall(const NodeData& n, uint64_t t_ns) const { return n.info.anchor_wall_ns + t_ns; }

  Event& push_event(EventKind kind, NodeKey node);
  void note_change(NodeKey node, ChangeKind kind, uint64_t actor);
  void note_actor(NodeData& n, Actor& a) {
    uint32_t pending = static_cast<uint32_t>(version + 1);
    if (a.journaled == pending && dirty) return;
    a.journaled = pending;
    note_change(n.info.key, ChangeKind::ActorChanged, a.id);
  }

  // Actor table (model_actors.cpp).
  Row add_row(NodeData& n, const Actor& a);
  void remove_row(NodeData& n, Row r);
  void link_under(NodeData& n, Row r);
  void unlink(NodeData& n, Row r);
  uint32_t type_slot(NodeData& n, Str type);
  void add_live(NodeData& n, Actor& a);
  void retire(NodeData& n, Actor& a);
  void remove_all_actors(NodeData& n);
  Supervisor& supervisor_of(NodeData& n, const Actor& a);
  void update_supervisor_restarts(NodeData& n, Supervisor& s);
  void count_restart_label(NodeData& n, Str label, uint64_t delta);

  // Lints (model_tick.cpp).
  void raise_lint(LintKind kind, NodeKey node, uint64_t actor, std::string text);
  void step(uint64_t now_ns);
  void forget_node(NodeKey key);
};

double restart_budget(const Supervisor& s, uint64_t now_ns);

}  // namespace actorscope::collector
