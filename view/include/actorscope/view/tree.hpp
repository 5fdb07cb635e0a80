// The Tree view-model: supervision trees flattened into rows, expanded lazily, with
// subtree totals and runs of identical siblings collapsed into one group row.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

enum class TreeRowKind : uint8_t { Node, Actor, Group };

// SubtreeTotals (replica.hpp): the replica keeps them up to date as changes arrive.

// Identifies an expandable row across rebuilds and across restarts: by the path of child
// ids (else names) from the root, which a restarted actor keeps while its id changes.
struct TreeItem {
  TreeRowKind kind = TreeRowKind::Node;
  NodeId node = 0;
  std::string path;  // Actor: ".../parent/child"; Group: the parent's path
  std::string type;  // Group: the members' type
  auto operator<=>(const TreeItem&) const = default;
};
// An actor's step in a path: its child id, else its name, else "#id".
std::string path_step(const Actor& a);

// A row of the flattened tree. `actor` points into the replica: it is refreshed at every
// update() that sees new data, and stays valid until the replica next changes (the viewers
// apply frames, then update, then draw). `key` names the actor for longer.
struct TreeRow {
  TreeRowKind kind = TreeRowKind::Actor;
  unsigned depth = 0;
  TreeItem item;
  const Actor* actor = nullptr;  // Actor rows
  size_t group_count = 0;        // Group rows: members
  bool has_children = false;
  bool expanded = false;
  bool last_sibling = false;     // for the renderer's tree glyphs
  uint64_t guides = 0;           // bit d: the ancestor at depth d has later siblings (draw a line)
  SubtreeTotals totals;
  ActorKey key{};                // Actor rows: the actor
};

struct TreeSettings {
  size_t group_min = 8;      // this many identical childless workers collapse into a group
  unsigned open_depth = 2;   // rows shallower than this start expanded
  bool open_groups = false;  // groups of identical workers start expanded too (--expand all)
};

// Follows the replica's changes: subtree totals come from the replica, stats-only ticks
// refresh the rows in place, and the sorted, grouped children of a parent are computed
// only when that parent is shown, then kept until its set of children changes. Work per
// update follows the rows shown (plus the changes), not the actors that exist.
class TreeModel {
 public:
  explicit TreeModel(TreeSettings settings = {}) : settings_(settings) {}

  // Brings the rows up to date with the replica, the node filter and the expansion.
  // Returns true when rows may have changed.
  bool update(const Replica& replica, NodeId node_filter = 0);
  const std::vector<TreeRow>& rows() const { return rows_; }

  bool is_expanded(const TreeItem& item, unsigned depth) const;
  void set_expanded(const TreeItem& item, unsigned depth, bool expanded);
  void toggle(size_t row);
  // Expands the ancestors of an actor so that it becomes a row; returns its row index.
  std::optional<size_t> reveal(const Replica& replica, ActorKey key);
  // The next actor row at or after `from` (wrapping) whose name, child id or type contains
  // `text`; searches the whole replica when no visible row matches, revealing the hit.
  std::optional<size_t> search(const Replica& replica, const std::string& text, size_t from);
  // An actor's subtree totals (valid until the replica changes).
  const SubtreeTotals& totals_of(ActorKey key) const;

 private:
  // One parent's children in display order, runs of identical workers folded into groups.
  struct Siblings {
    struct Entry {
      uint64_t actor = 0;  // a group's first member
      int32_t group = -1;  // index into groups, -1: a single actor
    };
    std::vector<Entry> entries;
    std::vector<std::vector<uint64_t>> groups;  // members, in display order
    uint64_t used = 0;                          // the last build that showed it
  };
  // Where a row came from, to refresh its totals in place.
  struct RowSource {
    ActorKey parent{};  // Group rows: the parent (actor 0: the node's top level)
    int32_t group = -1;
  };
  bool opens_by_default(const TreeItem& item, unsigned depth) const;
  const Siblings& siblings_of(ActorKey parent);
  void forget(ActorKey parent);
  void follow_changes(std::span<const ActorChange> changes);
  void build_rows();
  bool refresh_rows();
  SubtreeTotals group_totals(ActorKey parent, const Siblings& s, int32_t group) const;
  void flatten_children(NodeId node, const std::string& parent_path, const Siblings& s, ActorKey parent,
                        unsigned depth, uint64_t guides);
  void add_actor(const Actor& a, const std::string& path, unsigned depth, bool last, uint64_t guides);

  TreeSettings settings_;
  const Replica* replica_ = nullptr;
  uint64_t version_ = ~0ull;
  uint64_t change_seq_ = 0;
  NodeId node_filter_ = 0;
  bool dirty_ = true;
  std::map<TreeItem, bool> overrides_;  // expansion chosen by the user
  std::vector<TreeRow> rows_;
  std::vector<RowSource> sources_;      // one per row
  std::vector<NodeId> shown_nodes_;
  std::unordered_map<ActorKey, Siblings, ActorKeyHash> siblings_;  // parents shown, while unchanged
  uint64_t builds_ = 0;
  SubtreeTotals none_;
};

}  // namespace actorscope::view
