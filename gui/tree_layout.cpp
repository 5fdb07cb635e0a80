// Leaves take consecutive rows in the tree's order; a parent sits midway between its first
// and last child, an open group of identical workers level with its first member. One pass with a stack of open ancestors, no recursion.
#include "tree_layout.hpp"

#include <algorithm>

namespace actorscope::gui {

std::vector<TreeSlot> layout_tree(const std::vector<view::TreeRow>& rows) {
  const int n = static_cast<int>(rows.size());
  std::vector<TreeSlot> out(rows.size());
  std::vector<int> first(rows.size(), -1), last(rows.size(), -1), open;
  float next_leaf = 0;
  auto finish = [&](int j) {
    out[j].x = static_cast<float>(rows[j].depth);
    // an open group's members hang from its row: its siblings above stay where they were
    out[j].y = first[j] < 0                              ? next_leaf++
               : rows[j].kind == view::TreeRowKind::Group ? out[first[j]].y
                                                          : (out[first[j]].y + out[last[j]].y) * 0.5f;
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

TreeView keep_in_sight(TreeView v, float x0, float y0, float x1, float y1, float w, float h, float margin,
                       float min_zoom) {
  const float room_w = std::max(w - 2 * margin, 1.0f), room_h = std::max(h - 2 * margin, 1.0f);
  const float z = std::clamp(std::min({v.zoom, room_w / std::max(x1 - x0, 1.0f), room_h / std::max(y1 - y0, 1.0f)}),
                             std::min(min_zoom, v.zoom), v.zoom);
  if (z != v.zoom) {  // zoomed out around the rectangle's top left
    v.pan_x += x0 * (v.zoom - z);
    v.pan_y += y0 * (v.zoom - z);
    v.zoom = z;
  }
  // the least move along each axis that brings both ends in (the start first when it cannot)
  auto shift = [](float pan, float a, float b, float size, float m) {
    if (pan + b > size - m) pan = size - m - b;
    if (pan + a < m) pan = m - a;
    return pan;
  };
  v.pan_x = shift(v.pan_x, x0 * z, x1 * z, w, margin);
  v.pan_y = shift(v.pan_y, y0 * z, y1 * z, h, margin);
  return v;
}

}  // namespace actorscope::gui
