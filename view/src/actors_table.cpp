// Filtering and sorting of the actor list, following the replica's changes.
#include "actorscope/view/actors_table.hpp"

#include <algorithm>
#include <chrono>

#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::view {

std::string_view name(ActorColumn c) {
  switch (c) {
    case ActorColumn::Mailbox: return "mailbox";
    case ActorColumn::MessagesPerSec: return "msgs";
    case ActorColumn::ProcessingTime: return "time";
    case ActorColumn::Restarts: return "restarts";
    case ActorColumn::Name: return "name";
    case ActorColumn::Type: return "type";
    case ActorColumn::Node: return "node";
    case ActorColumn::State: return "state";
    case ActorColumn::Growth: return "growth";
  }
  return "mailbox";
}

std::string_view title(ActorColumn c) {
  switch (c) {
    case ActorColumn::Mailbox: return "MAILBOX";
    case ActorColumn::MessagesPerSec: return "MSG/S";
    case ActorColumn::ProcessingTime: return "BUSY";
    case ActorColumn::Restarts: return "RESTARTS";
    case ActorColumn::Name: return "NAME";
    case ActorColumn::Type: return "TYPE";
    case ActorColumn::Node: return "NODE";
    case ActorColumn::State: return "STATE";
    case ActorColumn::Growth: return "GROWTH";
  }
  return "";
}

namespace {
int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
// The first 8 bytes, big-endian: integer order is byte order.
uint64_t text_prefix(const std::string& s) {
  uint64_t p = 0;
  for (size_t i = 0; i < 8; ++i) p = p << 8 | (i < s.size() ? static_cast<uint8_t>(s[i]) : 0);
  return p;
}
const std::string& shown_name(const Actor& a) { return a.row.name.empty() ? a.row.child_id : a.row.name; }
bool text_column(ActorColumn c) { return c == ActorColumn::Name || c == ActorColumn::Type; }
}  // namespace

ActorsTable::SortKey ActorsTable::sort_key(const Actor& a) const {
  uint64_t p = 0;
  switch (query_.sort) {  // numbers descend: their complement ascends
    case ActorColumn::Mailbox: p = ~a.stats.mailbox; break;
    case ActorColumn::MessagesPerSec: p = ~a.stats.msgs_per_s_x100; break;
    case ActorColumn::ProcessingTime: p = ~a.stats.busy_ns; break;
    case ActorColumn::Restarts: p = ~a.stats.restarts; break;
    case ActorColumn::Name: p = text_prefix(shown_name(a)); break;
    case ActorColumn::Type: p = text_prefix(a.row.type); break;
    case ActorColumn::Node: p = a.row.node; break;
    case ActorColumn::State: p = ~static_cast<uint64_t>(a.stats.state); break;
    case ActorColumn::Growth:  // signed: offset to unsigned order, then descending; not known comes last
      if (auto g = growth_x100(a.stats)) p = ~(static_cast<uint64_t>(*g) ^ (1ull << 63)) - 1;
      else p = ~0ull;
      break;
  }
  if (query_.inverted) p = ~p;
  return SortKey{p, a.row.actor, a.row.node};
}

bool ActorsTable::passes(const Actor& a) const {
  if (query_.node != 0 && a.row.node != query_.node) return false;
  return query_.filter.empty() || contains_folded(a.row.name, query_.filter) ||
         contains_folded(a.row.type, query_.filter) || contains_folded(a.row.child_id, query_.filter);
}

// The column's order, with the actor key as the tie-break so that the order is total
// and stable across rebuilds.
bool ActorsTable::less(uint32_t ia, uint32_t ib) const {
  const SortKey& a = keys_[ia];
  const SortKey& b = keys_[ib];
  if (a.primary != b.primary) return a.primary < b.primary;
  if (text_column(query_.sort)) {  // same first 8 bytes: the whole text decides
    const Actor& x = replica_->actors()[ia];
    const Actor& y = replica_->actors()[ib];
    int c = query_.sort == ActorColumn::Name ? shown_name(x).compare(shown_name(y)) : x.row.type.compare(y.row.type);
    if (query_.inverted) c = -c;
    if (c != 0) return c < 0;
  }
  if (a.node != b.node) return a.node < b.node;
  return a.actor < b.actor;
}

bool ActorsTable::update(const Replica& replica, const ActorsQuery& query) {
  bool same_query = built_ && query.sort == query_.sort && query.inverted == query_.inverted &&
                    query.filter == query_.filter && query.node == query_.node;
  if (same_query && replica_ == &replica && version_ == replica.version()) return false;
  auto changes = replica.changes_since(change_seq_);
  bool follow_ok = same_query && replica_ == &replica && changes;
  replica_ = &replica;
  version_ = replica.version();
  change_seq_ = replica.change_seq();
  query_ = query;
  built_ = true;
  if (!follow_ok || !follow(*changes)) rebuild();
  // Back to a complete order once the churn allows it, at most every resort_interval_ms.
  // While heavy churn lasts, repairs would not keep up: the window is selected instead.
  if (!sorted_all_ && churn_light_ && now_ms() - last_full_sort_ms_ >= static_cast<int64_t>(settings_.resort_interval_ms))
    full_sort();
  return true;
}

// Every actor's key and match, the rows unordered: window() orders what it shows.
void ActorsTable::rebuild() {
  churn_light_ = true;
  const auto& actors = replica_->actors();
  keys_.resize(actors.size());
  match_.resize(actors.size());
  for (size_t i = 0; i < actors.size(); ++i) {
    keys_[i] = sort_key(actors[i]);
    match_[i] = passes(actors[i]);
  }
  collect_rows();
  last_full_sort_ms_ = now_ms();  // a new query shows its window now and sorts fully later
}

void ActorsTable::collect_rows() {
  rows_.clear();
  for (uint32_t i = 0; i < match_.size(); ++i)
    if (match_[i]) rows_.push_back(i);
  sorted_prefix_ = 0;
  sorted_all_ = false;
}

// Sorted as contiguous records (key and row side by side): several times faster than
// through the row indices.
void ActorsTable::full_sort() {
  struct Record {
    SortKey key;
    uint32_t row;
  };
  std::vector<Record> records;
  records.reserve(rows_.size());
  for (uint32_t r : rows_) records.push_back({keys_[r], r});
  const bool text = text_column(query_.sort);
  std::sort(records.begin(), records.end(), [&](const Record& a, const Record& b) {
    if (a.key.primary != b.key.primary) return a.key.primary < b.key.primary;
    if (text) return less(a.row, b.row);
    if (a.key.node != b.key.node) return a.key.node < b.key.node;
    return a.key.actor < b.key.actor;
  });
  for (size_t i = 0; i < records.size(); ++i) rows_[i] = records[i].row;
  sorted_prefix_ = rows_.size();
  sorted_all_ = true;
  last_full_sort_ms_ = now_ms();
  index_positions();
}

void ActorsTable::index_positions() {
  pos_.assign(keys_.size(), kNoRow);
  for (uint32_t p = 0; p < rows_.size(); ++p) pos_[rows_[p]] = p;
}

// Mirrors the replica's row moves, then refreshes the changed actors. False when the
// arrays no longer line up with the replica (then everything is rebuilt).
bool ActorsTable::follow(std::span<const ActorChange> changes) {
  constexpr uint32_t kGone = kNoRow;
  std::vector<ActorKey> changed;
  bool exited = false;
  for (const ActorChange& c : changes) {
    switch (c.kind) {
      case ActorChangeKind::Spawned:
        if (c.row != keys_.size()) return false;
        keys_.emplace_back();
        match_.push_back(0);
        if (sorted_all_) pos_.push_back(kNoRow);
        changed.push_back(c.key);
        break;
      case ActorChangeKind::Exited: {
        if (c.row >= keys_.size()) return false;
        uint32_t last = static_cast<uint32_t>(keys_.size() - 1);
        if (c.moved_from != kNoRow && c.moved_from != last) return false;
        exited = true;
        if (sorted_all_ && pos_[c.row] != kNoRow) rows_[pos_[c.row]] = kGone;
        if (c.moved_from != kNoRow) {
          keys_[c.row] = keys_[last];
          match_[c.row] = match_[last];
          if (sorted_all_) {
            pos_[c.row] = pos_[last];
            if (pos_[c.row] != kNoRow) rows_[pos_[c.row]] = c.row;
          }
        }
        keys_.pop_back();
        match_.pop_back();
        if (sorted_all_) pos_.pop_back();
        break;
      }
      case ActorChangeKind::Row:
      case ActorChangeKind::Stats: changed.push_back(c.key); break;
    }
  }
  const auto& actors = replica_->actors();
  if (keys_.size() != actors.size()) return false;
  if (changed.empty() && !exited) return true;  // nothing moved: the order (or its sorted part) holds
  // The changed actors' rows now, once each.
  std::vector<uint32_t> dirty;
  dirty.reserve(changed.size());
  for (ActorKey k : changed)
    if (const Actor* a = replica_->actor(k)) dirty.push_back(static_cast<uint32_t>(a - actors.data()));
  std::sort(dirty.begin(), dirty.end());
  dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
  churn_light_ = static_cast<double>(dirty.size()) <= settings_.repair_fraction * static_cast<double>(keys_.size()) + 64;
  if (sorted_all_ && !churn_light_) {
    sorted_all_ = false;  // heavy churn: re-select rather than repair
    pos_.clear();
  }
  for (uint32_t r : dirty) {
    if (sorted_all_ && pos_[r] != kNoRow) rows_[pos_[r]] = kGone;
    keys_[r] = sort_key(actors[r]);
    match_[r] = passes(actors[r]);
  }
  if (!sorted_all_) {
    collect_rows();
    return true;
  }
  // Repair: the unchanged rows keep their relative order; the changed ones go back in.
  std::erase(rows_, kGone);
  std::vector<uint32_t> back;
  for (uint32_t r : dirty)
    if (match_[r]) back.push_back(r);
  auto cmp = [this](uint32_t a, uint32_t b) { return less(a, b); };
  std::sort(back.begin(), back.end(), cmp);
  if (!back.empty()) {
    std::vector<uint32_t> merged;
    merged.reserve(rows_.size() + back.size());
    auto from = rows_.begin();
    for (uint32_t r : back) {
      auto at = std::upper_bound(from, rows_.end(), r, cmp);
      merged.insert(merged.end(), from, at);
      merged.push_back(r);
      from = at;
    }
    merged.insert(merged.end(), from, rows_.end());
    rows_.swap(merged);
  }
  sorted_prefix_ = rows_.size();
  index_positions();
  return true;
}

std::vector<const Actor*> ActorsTable::window(size_t offset, size_t count) {
  std::vector<const Actor*> out;
  if (!replica_ || offset >= rows_.size()) return out;
  size_t end = std::min(rows_.size(), offset + count);
  auto cmp = [this](uint32_t a, uint32_t b) { return less(a, b); };
  if (end > sorted_prefix_) {
    // Select, then order only the window: rows before `offset` are left partitioned.
    auto first = rows_.begin() + static_cast<ptrdiff_t>(sorted_prefix_);
    if (offset > sorted_prefix_) {
      std::nth_element(first, rows_.begin() + static_cast<ptrdiff_t>(offset), rows_.end(), cmp);
      first = rows_.begin() + static_cast<ptrdiff_t>(offset);
    }
    std::partial_sort(first, rows_.begin() + static_cast<ptrdiff_t>(end), rows_.end(), cmp);
    if (offset <= sorted_prefix_) sorted_prefix_ = end;
  }
  // A window inside the sorted prefix, or past a partitioned gap: order what is shown.
  if (offset > sorted_prefix_ || end > sorted_prefix_) {
    std::sort(rows_.begin() + static_cast<ptrdiff_t>(offset), rows_.begin() + static_cast<ptrdiff_t>(end), cmp);
  }
  out.reserve(end - offset);
  for (size_t i = offset; i < end; ++i) out.push_back(&replica_->actors()[rows_[i]]);
  return out;
}

size_t ActorsTable::position_of(ActorKey k) {
  if (!replica_) return 0;
  const Actor* target = replica_->actor(k);
  if (!target) return rows_.size();
  uint32_t ti = static_cast<uint32_t>(target - replica_->actors().data());
  if (sorted_all_) return ti < pos_.size() && pos_[ti] != kNoRow ? pos_[ti] : rows_.size();
  if (std::find(rows_.begin(), rows_.end(), ti) == rows_.end()) return rows_.size();
  // Its rank: how many rows sort before it.
  size_t rank = 0;
  for (uint32_t r : rows_)
    if (r != ti && less(r, ti)) ++rank;
  return rank;
}

}  // namespace actorscope::view
