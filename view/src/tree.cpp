// Flattening of the supervision trees into rows: lazy expansion, groups, cached per parent.
#include "actorscope/view/tree.hpp"

#include <algorithm>

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
void subtract(SubtreeTotals& t, const SubtreeTotals& o) {
  t.actors -= o.actors;
  t.mailbox -= o.mailbox;
  t.restarts -= o.restarts;
  t.msgs_per_s_x100 -= o.msgs_per_s_x100;
}
}  // namespace

std::string path_step(const Actor& a) {
  if (!a.row.child_id.empty()) return a.row.child_id;
  if (!a.row.name.empty()) return a.row.name;
  std::string step = "#";
  step += std::to_string(a.row.actor);
  return step;
}

bool TreeModel::opens_by_default(const TreeItem& item, unsigned depth) const {
  return depth < settings_.open_depth && (item.kind != TreeRowKind::Group || settings_.open_groups);
}

bool TreeModel::is_expanded(const TreeItem& item, unsigned depth) const {
  auto it = overrides_.find(item);
  if (it != overrides_.end()) return it->second;
  return opens_by_default(item, depth);
}

void TreeModel::set_expanded(const TreeItem& item, unsigned depth, bool expanded) {
  bool by_default = opens_by_default(item, depth);
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
  const bool new_data = replica_ != &replica || version_ != replica.version();
  if (!dirty_ && !new_data && node_filter == node_filter_) return false;
  bool rebuild = dirty_ || node_filter != node_filter_;
  if (replica_ != &replica) {
    siblings_.clear();
    rebuild = true;
  } else if (new_data) {
    auto changes = replica.changes_since(change_seq_);
    if (!changes) {
      siblings_.clear();  // too much changed (or a new snapshot): start over
      rebuild = true;
    } else {
      size_t cached = siblings_.size();
      follow_changes(*changes);
      if (siblings_.size() != cached) rebuild = true;  // a parent on screen changed its children
    }
  }
  replica_ = &replica;
  version_ = replica.version();
  change_seq_ = replica.change_seq();
  node_filter_ = node_filter;
  dirty_ = false;
  if (rebuild || !refresh_rows()) build_rows();
  return true;
}

void TreeModel::forget(ActorKey parent) { siblings_.erase(parent); }

// A change of children invalidates the parent's list, and the grandparent's too (the
// parent may stop or start being a childless worker that groups); parents that are not
// live, and actors with children of their own, touch the node's top level (orphans).
void TreeModel::follow_changes(std::span<const ActorChange> changes) {
  auto touch_parent = [&](NodeId node, uint64_t parent) {
    forget(ActorKey{node, parent});
    const Actor* p = parent ? replica_->actor(ActorKey{node, parent}) : nullptr;
    if (p)
      forget(ActorKey{node, p->row.parent});
    else
      forget(ActorKey{node, 0});
    if (p && !replica_->actor(ActorKey{node, p->row.parent})) forget(ActorKey{node, 0});
  };
  for (const ActorChange& c : changes) {
    if (c.kind == ActorChangeKind::Stats) continue;
    touch_parent(c.key.node, c.parent);
    if (c.kind == ActorChangeKind::Row && c.old_parent != c.parent) touch_parent(c.key.node, c.old_parent);
    forget(c.key);
    if (c.kind != ActorChangeKind::Row && replica_->children(c.key)) forget(ActorKey{c.key.node, 0});
  }
}

const TreeModel::Siblings& TreeModel::siblings_of(ActorKey parent) {
  auto [it, inserted] = siblings_.try_emplace(parent);
  Siblings& s = it->second;
  s.used = builds_;
  if (!inserted) return s;
  std::vector<const Actor*> kids;
  auto take = [&](const std::vector<uint64_t>& ids) {
    for (uint64_t id : ids)
      if (const Actor* a = replica_->actor(ActorKey{parent.node, id})) kids.push_back(a);
  };
  if (const auto* ids = replica_->children(parent)) take(*ids);
  if (parent.actor == 0)  // orphans (actors whose parent is not live) beside the roots
    for (const auto& [p, ids] : replica_->children_lists())
      if (p.node == parent.node && p.actor != 0 && replica_->actor(p) == nullptr) take(ids);
  // Start order (spawn time, then id): for rest_for_one it is the meaning of the tree (a
  // crash restarts the child and every child started after it), and a restarted child
  // shows where its new incarnation started. Sorting by a column is the Actors view's.
  std::sort(kids.begin(), kids.end(), [](const Actor* a, const Actor* b) {
    if (a->row.spawned_wall_ns != b->row.spawned_wall_ns) return a->row.spawned_wall_ns < b->row.spawned_wall_ns;
    return a->row.actor < b->row.actor;
  });
  // How many childless workers of each type: runs large enough become group rows.
  std::unordered_map<std::string_view, size_t> per_type;
  for (const Actor* a : kids)
    if (groupable(*replica_, *a)) ++per_type[a->row.type];
  std::unordered_map<std::string_view, int32_t> group_of;
  for (const Actor* a : kids) {
    bool grouped = groupable(*replica_, *a) && per_type[a->row.type] >= settings_.group_min;
    if (!grouped) {
      s.entries.push_back({a->row.actor, -1});
      continue;
    }
    auto [g, first] = group_of.try_emplace(a->row.type, static_cast<int32_t>(s.groups.size()));
    if (first) {
      s.entries.push_back({a->row.actor, g->second});
      s.groups.emplace_back();
    }
    s.groups[static_cast<size_t>(g->second)].push_back(a->row.actor);
  }
  return s;
}

// A group's totals: with one group under a live parent, what the parent's subtree holds
// beyond the parent and its other children (O(other children)); else the members' sum.
SubtreeTotals TreeModel::group_totals(ActorKey parent, const Siblings& s, int32_t group) const {
  SubtreeTotals t;
  const Actor* p = parent.actor ? replica_->actor(parent) : nullptr;
  const auto& members = s.groups[static_cast<size_t>(group)];
  if (p && s.groups.size() == 1 && s.entries.size() < members.size()) {
    t = p->subtree;
    SubtreeTotals self{1, p->stats.mailbox, p->stats.restarts, p->stats.msgs_per_s_x100};
    subtract(t, self);
    for (const auto& e : s.entries)
      if (e.group < 0)
        if (const Actor* a = replica_->actor(ActorKey{parent.node, e.actor})) subtract(t, a->subtree);
    return t;
  }
  for (uint64_t m : members)
    if (const Actor* a = replica_->actor(ActorKey{parent.node, m})) add(t, a->subtree);
  return t;
}

namespace {
uint64_t guide_bit(unsigned depth) { return depth < 64 ? uint64_t{1} << depth : 0; }
}  // namespace

void TreeModel::build_rows() {
  ++builds_;
  rows_.clear();
  sources_.clear();
  shown_nodes_.clear();
  for (const auto& [id, n] : replica_->nodes()) {
    if (node_filter_ != 0 && id != node_filter_) continue;
    shown_nodes_.push_back(id);
    const Siblings& top = siblings_of(ActorKey{id, 0});
    TreeRow row;
    row.kind = TreeRowKind::Node;
    row.item = TreeItem{TreeRowKind::Node, id, {}, {}};
    row.has_children = !top.entries.empty();
    row.expanded = is_expanded(row.item, 0);
    for (const auto& e : top.entries)
      if (e.group >= 0)
        add(row.totals, group_totals(ActorKey{id, 0}, top, e.group));
      else if (const Actor* a = replica_->actor(ActorKey{id, e.actor}))
        add(row.totals, a->subtree);
    rows_.push_back(row);
    sources_.push_back({});
    if (row.expanded) flatten_children(id, std::string(), top, ActorKey{id, 0}, 1, 0);
  }
  // Parents no longer shown: their lists go once they outnumber the shown ones.
  if (siblings_.size() > 64) {
    size_t shown = 0;
    for (const auto& [k, s] : siblings_) shown += s.used == builds_;
    if (siblings_.size() > 2 * shown) std::erase_if(siblings_, [&](const auto& kv) { return kv.second.used != builds_; });
  }
}

// Stats only: the same rows, new numbers and fresh pointers. False when a row's actor is
// gone or the nodes changed (then the rows are rebuilt).
bool TreeModel::refresh_rows() {
  size_t n = 0;
  for (const auto& [id, node] : replica_->nodes())
    if (node_filter_ == 0 || id == node_filter_) {
      if (n >= shown_nodes_.size() || shown_nodes_[n] != id) return false;
      ++n;
    }
  if (n != shown_nodes_.size()) return false;
  for (size_t i = 0; i < rows_.size(); ++i) {
    TreeRow& row = rows_[i];
    switch (row.kind) {
      case TreeRowKind::Actor: {
        const Actor* a = replica_->actor(row.key);
        if (!a) return false;
        row.actor = a;
        row.totals = a->subtree;
        break;
      }
      case TreeRowKind::Group: {
        auto it = siblings_.find(sources_[i].parent);
        if (it == siblings_.end()) return false;
        row.totals = group_totals(sources_[i].parent, it->second, sources_[i].group);
        break;
      }
      case TreeRowKind::Node: {
        auto it = siblings_.find(ActorKey{row.item.node, 0});
        if (it == siblings_.end()) return false;
        row.totals = {};
        for (const auto& e : it->second.entries)
          if (e.group >= 0)
            add(row.totals, group_totals(ActorKey{row.item.node, 0}, it->second, e.group));
          else if (const Actor* a = replica_->actor(ActorKey{row.item.node, e.actor}))
            add(row.totals, a->subtree);
        break;
      }
    }
  }
  return true;
}

void TreeModel::add_actor(const Actor& a, const std::string& path, unsigned depth, bool last, uint64_t guides) {
  TreeRow row;
  row.kind = TreeRowKind::Actor;
  row.depth = depth;
  row.item = TreeItem{TreeRowKind::Actor, a.row.node, path, {}};
  row.actor = &a;
  row.key = a.key();
  row.has_children = replica_->children(a.key()) != nullptr;
  row.expanded = row.has_children && is_expanded(row.item, depth);
  row.last_sibling = last;
  row.guides = guides;
  row.totals = a.subtree;
  rows_.push_back(std::move(row));
  sources_.push_back({});
}

void TreeModel::flatten_children(NodeId node, const std::string& parent_path, const Siblings& s, ActorKey parent,
                                 unsigned depth, uint64_t guides) {
  for (size_t i = 0; i < s.entries.size(); ++i) {
    const auto& e = s.entries[i];
    const Actor* a = replica_->actor(ActorKey{node, e.actor});
    if (!a) continue;
    bool last = i + 1 == s.entries.size();
    uint64_t below = guides | (last ? 0 : guide_bit(depth));
    if (e.group < 0) {
      std::string path = parent_path + "/" + path_step(*a);
      add_actor(*a, path, depth, last, guides);
      if (rows_.back().expanded) flatten_children(node, path, siblings_of(a->key()), a->key(), depth + 1, below);
      continue;
    }
    const auto& members = s.groups[static_cast<size_t>(e.group)];
    TreeRow g;
    g.kind = TreeRowKind::Group;
    g.depth = depth;
    g.item = TreeItem{TreeRowKind::Group, node, parent_path, a->row.type};
    g.group_count = members.size();
    g.has_children = true;
    g.expanded = is_expanded(g.item, depth);
    g.last_sibling = last;
    g.guides = guides;
    g.totals = group_totals(parent, s, e.group);
    rows_.push_back(std::move(g));
    sources_.push_back({parent, e.group});
    if (!rows_.back().expanded) continue;
    for (size_t k = 0; k < members.size(); ++k)
      if (const Actor* m = replica_->actor(ActorKey{node, members[k]}))
        add_actor(*m, parent_path + "/" + path_step(*m), depth + 1, k + 1 == members.size(), below);
  }
}

const SubtreeTotals& TreeModel::totals_of(ActorKey key) const {
  const Actor* a = replica_ ? replica_->actor(key) : nullptr;
  return a ? a->subtree : none_;
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
    path += '/';
    path += path_step(**it);
    set_expanded(TreeItem{TreeRowKind::Actor, key.node, path, {}}, depth, true);
  }
  // A childless worker may sit in a group under its parent.
  if (groupable(replica, *a)) set_expanded(TreeItem{TreeRowKind::Group, key.node, path, a->row.type}, depth, true);
  update(replica, node_filter_);
  for (size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].kind == TreeRowKind::Actor && rows_[i].key == key) return i;
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
