// Flattening of the supervision trees into rows: lazy expansion, groups, subtree totals.
#include "actorscope/view/tree.hpp"

#include <algorithm>
#include <unordered_set>

#include "actorscope/view/format.hpp"

namespace actorscope::view {

namespace {
bool groupable(const Replica& r, const Actor& a) {
  return a.row.kind == proto::ActorKind::Worker && r.children(a.key()) == nullptr;
}
void add(SubtreeTotals& t, const SubtreeTotals& o) {
  t.actors += o.actors;
  t.mailbox += o.mailbox;
  t.restarts += o.restarts;
  t.msgs_per_s_x100 += o.msgs_per_s_x100;
}
}  // namespace

std::string path_step(const Actor& a) {
  if (!a.row.child_id.empty()) return a.row.child_id;
  if (!a.row.name.empty()) return a.row.name;
  return "#" + std::to_string(a.row.actor);
}

bool TreeModel::is_expanded(const TreeItem& item, unsigned depth) const {
  auto it = overrides_.find(item);
  if (it != overrides_.end()) return it->second;
  return item.kind != TreeRowKind::Group && depth < settings_.open_depth;
}

void TreeModel::set_expanded(const TreeItem& item, unsigned depth, bool expanded) {
  bool by_default = item.kind != TreeRowKind::Group && depth < settings_.open_depth;
  if (expanded == by_default)
    overrides_.erase(item);
  else
    overrides_[item] = expanded;
  dirty_ = true;
}

void TreeModel::toggle(size_t row) {
  if (row >= rows_.size()) return;
  const TreeRow& r = rows_[row];
  if (!r.has_children) return;
  set_expanded(r.item, r.depth, !r.expanded);
}

bool TreeModel::update(const Replica& replica, NodeId node_filter) {
  if (!dirty_ && replica_ == &replica && version_ == replica.version() && node_filter == node_filter_) return false;
  bool data_changed = replica_ != &replica || version_ != replica.version();
  replica_ = &replica;
  version_ = replica.version();
  node_filter_ = node_filter;
  dirty_ = false;
  if (data_changed) compute_totals();
  rows_.clear();
  for (const auto& [id, n] : replica.nodes()) {
    if (node_filter != 0 && id != node_filter) continue;
    // Roots, plus orphans (actors whose parent is not live) listed beside them.
    std::vector<uint64_t> roots;
    if (const auto* r = replica.children(ActorKey{id, 0})) roots = *r;
    for (const auto& [parent, kids] : replica.children_lists())
      if (parent.node == id && parent.actor != 0 && replica.actor(parent) == nullptr)
        roots.insert(roots.end(), kids.begin(), kids.end());
    TreeRow row;
    row.kind = TreeRowKind::Node;
    row.item = TreeItem{TreeRowKind::Node, id, {}, {}};
    row.has_children = !roots.empty();
    row.expanded = is_expanded(row.item, 0);
    for (uint64_t a : roots) add(row.totals, totals_of(ActorKey{id, a}));
    rows_.push_back(row);
    if (row.expanded) flatten_children(id, std::string(), roots, 1, 0);
  }
  return true;
}

void TreeModel::add_actor(const Actor& a, const std::string& path, unsigned depth, bool last, uint64_t guides) {
  TreeRow row;
  row.kind = TreeRowKind::Actor;
  row.depth = depth;
  row.item = TreeItem{TreeRowKind::Actor, a.row.node, path, {}};
  row.actor = &a;
  row.has_children = replica_->children(a.key()) != nullptr;
  row.expanded = row.has_children && is_expanded(row.item, depth);
  row.last_sibling = last;
  row.guides = guides;
  row.totals = totals_of(a.key());
  rows_.push_back(std::move(row));
}

namespace {
uint64_t guide_bit(unsigned depth) { return depth < 64 ? uint64_t{1} << depth : 0; }
}  // namespace

void TreeModel::flatten_children(NodeId node, const std::string& parent_path, const std::vector<uint64_t>& unsorted,
                                 unsigned depth, uint64_t guides) {
  std::vector<const Actor*> kids;
  kids.reserve(unsorted.size());
  for (uint64_t id : unsorted)
    if (const Actor* a = replica_->actor(ActorKey{node, id})) kids.push_back(a);
  // Child spec order is not on the wire; child ids (stable across restarts) in natural
  // order come closest, then spawn order.
  std::sort(kids.begin(), kids.end(), [](const Actor* a, const Actor* b) {
    if (a->row.child_id != b->row.child_id) return natural_less(a->row.child_id, b->row.child_id);
    return a->row.actor < b->row.actor;
  });
  // How many childless workers of each type: runs large enough become group rows.
  std::unordered_map<std::string_view, size_t> per_type;
  for (const Actor* a : kids)
    if (groupable(*replica_, *a)) ++per_type[a->row.type];
  // The sibling entries, in order: an actor, or the first member standing for its group.
  struct Entry {
    const Actor* actor;
    bool group;
  };
  std::vector<Entry> entries;
  std::unordered_set<std::string_view> grouped_types;
  for (const Actor* a : kids) {
    bool grouped = groupable(*replica_, *a) && per_type[a->row.type] >= settings_.group_min;
    if (!grouped)
      entries.push_back({a, false});
    else if (grouped_types.insert(a->row.type).second)
      entries.push_back({a, true});
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const Actor* a = entries[i].actor;
    bool last = i + 1 == entries.size();
    uint64_t below = guides | (last ? 0 : guide_bit(depth));
    if (!entries[i].group) {
      std::string path = parent_path + "/" + path_step(*a);
      add_actor(*a, path, depth, last, guides);
      if (rows_.back().expanded) flatten_children(node, path, *replica_->children(a->key()), depth + 1, below);
      continue;
    }
    TreeRow g;
    g.kind = TreeRowKind::Group;
    g.depth = depth;
    g.item = TreeItem{TreeRowKind::Group, node, parent_path, a->row.type};
    g.group_count = per_type[a->row.type];
    g.has_children = true;
    g.expanded = is_expanded(g.item, depth);
    g.last_sibling = last;
    g.guides = guides;
    std::vector<const Actor*> members;
    for (const Actor* m : kids)
      if (m->row.type == a->row.type && groupable(*replica_, *m)) {
        add(g.totals, totals_of(m->key()));
        if (g.expanded) members.push_back(m);
      }
    rows_.push_back(std::move(g));
    for (size_t k = 0; k < members.size(); ++k)
      add_actor(*members[k], parent_path + "/" + path_step(*members[k]), depth + 1, k + 1 == members.size(), below);
  }
}

const SubtreeTotals& TreeModel::totals_of(ActorKey key) const {
  const Actor* a = replica_ ? replica_->actor(key) : nullptr;
  if (!a) return none_;
  size_t row = static_cast<size_t>(a - replica_->actors().data());
  return row < totals_.size() ? totals_[row] : none_;
}

// Every actor's subtree totals in O(actors) over flat arrays: depth by the parent-row
// chain, then children added into parents, deepest first.
void TreeModel::compute_totals() {
  const auto& actors = replica_->actors();
  const size_t n = actors.size();
  constexpr uint16_t kUnknown = 0xFFFF;
  constexpr uint16_t kMaxDepth = 4096;  // deeper chains (or cycles) are cut here
  totals_.assign(n, SubtreeTotals{});
  depth_.assign(n, kUnknown);
  std::vector<uint32_t> chain;
  uint16_t max_depth = 0;
  for (size_t i = 0; i < n; ++i) {
    chain.clear();
    uint32_t r = static_cast<uint32_t>(i);
    while (r != kNoRow && depth_[r] == kUnknown && chain.size() < kMaxDepth) {
      chain.push_back(r);
      depth_[r] = kMaxDepth;  // in progress: a cycle stops here
      r = actors[r].parent_row;
    }
    uint16_t d = r == kNoRow ? 0 : static_cast<uint16_t>(std::min<int>(depth_[r] + 1, kMaxDepth));
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      depth_[*it] = d;
      max_depth = std::max(max_depth, d);
      d = static_cast<uint16_t>(std::min<int>(d + 1, kMaxDepth));
    }
    const Actor& a = actors[i];
    totals_[i] = SubtreeTotals{1, a.stats.mailbox, a.stats.restarts, a.stats.msgs_per_s_x100};
  }
  // Counting sort by depth, deepest first.
  std::vector<uint32_t> start(static_cast<size_t>(max_depth) + 2, 0);
  for (size_t i = 0; i < n; ++i) ++start[depth_[i] + 1u];
  for (size_t d = 1; d < start.size(); ++d) start[d] += start[d - 1];
  order_.resize(n);
  for (size_t i = 0; i < n; ++i) order_[start[depth_[i]]++] = static_cast<uint32_t>(i);
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    uint32_t p = actors[*it].parent_row;
    if (p != kNoRow && depth_[p] < depth_[*it]) add(totals_[p], totals_[*it]);
  }
}

std::optional<size_t> TreeModel::reveal(const Replica& replica, ActorKey key) {
  const Actor* a = replica.actor(key);
  if (!a) return std::nullopt;
  // Ancestors, nearest first; then expand from the top down.
  std::vector<const Actor*> chain;
  for (const Actor* p = replica.actor(ActorKey{key.node, a->row.parent}); p && chain.size() < 4096;
       p = replica.actor(ActorKey{key.node, p->row.parent}))
    chain.push_back(p);
  set_expanded(TreeItem{TreeRowKind::Node, key.node, {}, {}}, 0, true);
  unsigned depth = 1;
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it, ++depth) {
    path += "/" + path_step(**it);
    set_expanded(TreeItem{TreeRowKind::Actor, key.node, path, {}}, depth, true);
  }
  // A childless worker may sit in a group under its parent.
  if (groupable(replica, *a)) set_expanded(TreeItem{TreeRowKind::Group, key.node, path, a->row.type}, depth, true);
  update(replica, node_filter_);
  for (size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].kind == TreeRowKind::Actor && rows_[i].actor->key() == key) return i;
  return std::nullopt;
}

std::optional<size_t> TreeModel::search(const Replica& replica, const std::string& text, size_t from) {
  if (text.empty()) return std::nullopt;
  auto matches = [&](const Actor& a) {
    return contains_folded(a.row.name, text) || contains_folded(a.row.child_id, text) ||
           contains_folded(a.row.type, text);
  };
  for (size_t n = 0; n < rows_.size(); ++n) {
    size_t i = (from + n) % rows_.size();
    if (rows_[i].kind == TreeRowKind::Actor && matches(*rows_[i].actor)) return i;
  }
  // Not visible: the first match in the replica, by key, revealed.
  const Actor* best = nullptr;
  for (const Actor& a : replica.actors())
    if ((node_filter_ == 0 || a.row.node == node_filter_) && matches(a) && (!best || a.key() < best->key())) best = &a;
  if (!best) return std::nullopt;
  return reveal(replica, best->key());
}

}  // namespace actorscope::view
