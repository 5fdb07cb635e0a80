// The Tree view-model: supervision trees flattened into rows, expanded lazily, with
// subtree totals and runs of identical siblings collapsed into one group row.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

enum class TreeRowKind : uint8_t { Node, Actor, Group };

struct SubtreeTotals {
  uint64_t actors = 0;  // including itself
  uint64_t mailbox = 0;
  uint64_t restarts = 0;
  uint64_t msgs_per_s_x100 = 0;
};

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
};

struct TreeSettings {
  size_t group_min = 8;      // this many identical childless workers collapse into a group
  unsigned open_depth = 2;   // rows shallower than this start expanded
};

class TreeModel {
 public:
  explicit TreeModel(TreeSettings settings = {}) : settings_(settings) {}

  // Rebuilds the rows when the replica, the node filter or the expansion changed.
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
  const SubtreeTotals& totals_of(ActorKey key) const;

 private:
  void flatten_children(NodeId node, const std::string& parent_path, const std::vector<uint64_t>& ids, unsigned depth,
                        uint64_t guides);
  void add_actor(const Actor& a, const std::string& path, unsigned depth, bool last, uint64_t guides);
  void clear_rows() { rows_.clear(); }

  TreeSettings settings_;
  const Replica* replica_ = nullptr;
  uint64_t version_ = ~0ull;
  NodeId node_filter_ = 0;
  bool dirty_ = true;
  std::map<TreeItem, bool> overrides_;  // expansion chosen by the user
  std::vector<TreeRow> rows_;
  void compute_totals();
  std::vector<SubtreeTotals> totals_;  // by replica row, for the replica version built
  std::vector<uint16_t> depth_;
  std::vector<uint32_t> order_;
  SubtreeTotals none_;
};

}  // namespace actorscope::view
