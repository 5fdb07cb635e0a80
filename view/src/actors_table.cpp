// Filtering and partial sorting of the actor list.
#include "actorscope/view/actors_table.hpp"

#include <algorithm>

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
  }
  return "";
}

bool ActorsTable::update(const Replica& replica, const ActorsQuery& query) {
  bool same_query = built_ && query.sort == query_.sort && query.inverted == query_.inverted &&
                    query.filter == query_.filter && query.node == query_.node;
  if (same_query && replica_ == &replica && version_ == replica.version()) return false;
  replica_ = &replica;
  version_ = replica.version();
  query_ = query;
  built_ = true;
  rows_.clear();
  const auto& actors = replica.actors();
  rows_.reserve(actors.size());
  for (uint32_t i = 0; i < actors.size(); ++i) {
    const Actor& a = actors[i];
    if (query.node != 0 && a.row.node != query.node) continue;
    if (!query.filter.empty() && !contains_folded(a.row.name, query.filter) &&
        !contains_folded(a.row.type, query.filter) && !contains_folded(a.row.child_id, query.filter))
      continue;
    rows_.push_back(i);
  }
  sorted_prefix_ = 0;
  return true;
}

// The column's order, with the actor key as the tie-break so that the order is total
// and stable across rebuilds.
bool ActorsTable::less(uint32_t ia, uint32_t ib) const {
  const Actor& a = replica_->actors()[ia];
  const Actor& b = replica_->actors()[ib];
  auto num = [&](uint64_t x, uint64_t y) -> int { return x == y ? 0 : (x > y ? -1 : 1); };  // descending
  auto txt = [&](const std::string& x, const std::string& y) -> int { int c = x.compare(y); return c < 0 ? -1 : (c > 0 ? 1 : 0); };
  int c = 0;
  switch (query_.sort) {
    case ActorColumn::Mailbox: c = num(a.stats.mailbox, b.stats.mailbox); break;
    case ActorColumn::MessagesPerSec: c = num(a.stats.msgs_per_s_x100, b.stats.msgs_per_s_x100); break;
    case ActorColumn::ProcessingTime: c = num(a.stats.busy_ns, b.stats.busy_ns); break;
    case ActorColumn::Restarts: c = num(a.stats.restarts, b.stats.restarts); break;
    case ActorColumn::Name: c = txt(a.row.name.empty() ? a.row.child_id : a.row.name, b.row.name.empty() ? b.row.child_id : b.row.name); break;
    case ActorColumn::Type: c = txt(a.row.type, b.row.type); break;
    case ActorColumn::Node: c = num(b.row.node, a.row.node); break;
    case ActorColumn::State: c = num(static_cast<uint64_t>(a.stats.state), static_cast<uint64_t>(b.stats.state)); break;
  }
  if (query_.inverted) c = -c;
  if (c != 0) return c < 0;
  return a.key() < b.key();
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
  if (std::find(rows_.begin(), rows_.end(), ti) == rows_.end()) return rows_.size();
  // Its rank: how many rows sort before it.
  size_t rank = 0;
  for (uint32_t r : rows_)
    if (r != ti && less(r, ti)) ++rank;
  return rank;
}

}  // namespace actorscope::view
