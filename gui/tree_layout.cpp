// Leaves take consecutive rows in the tree's order; a parent sits midway between its first
// and last child. One pass with a stack of open ancestors, no recursion.
#include "tree_layout.hpp"

namespace actorscope::gui {

std::vector<TreeSlot> layout_tree(const std::vector<view::TreeRow>& rows) {
  const int n = static_cast<int>(rows.size());
  std::vector<TreeSlot> out(rows.size());
  std::vector<int> first(rows.size(), -1), last(rows.size(), -1), open;
  float next_leaf = 0;
  auto finish = [&](int j) {
    out[j].x = static_cast<float>(rows[j].depth);
    out[j].y = first[j] < 0 ? next_leaf++ : (out[first[j]].y + out[last[j]].y) * 0.5f;
  };
  for (int i = 0; i < n; ++i) {
    while (!open.empty() && rows[open.back()].depth >= rows[i].depth) {
      finish(open.back());
      open.pop_back();
    }
    if (!open.empty()) {
      int p = open.back();
      if (first[p] < 0) first[p] = i;
      last[p] = i;
      out[i].parent = p;
    }
    open.push_back(i);
  }
  while (!open.empty()) {
    finish(open.back());
    open.pop_back();
  }
  return out;
}

}  // namespace actorscope::gui
