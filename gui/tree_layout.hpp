// Positions of the tree rows on the drawn canvas: children in a column to the right of
// their parent, each parent centred on its children (like observer's Applications tab); an
// open group of identical workers is level with its first member, its column hanging below.
#pragma once

#include <vector>

#include "actorscope/view/tree.hpp"

namespace actorscope::gui {

struct TreeSlot {
  float x = 0;       // column (depth), in box units
  float y = 0;       // row, in box units
  int parent = -1;   // index of the parent row, -1 for a top row
};

// O(rows); only rows the tree model made (what is expanded) are laid out.
std::vector<TreeSlot> layout_tree(const std::vector<view::TreeRow>& rows);

// A view of the drawn tree: the canvas offset of the tree's origin, in pixels, and the zoom.
struct TreeView {
  float pan_x = 0, pan_y = 0;
  float zoom = 1;
};

// The view that moves least from `view` and shows the rectangle x0..x1, y0..y1 (tree pixels
// at zoom 1) inside a canvas of w x h less `margin` on each side. Zoomed out (not below
// `min_zoom`) when it cannot fit; the rectangle's top left stays where it was on screen then.
TreeView keep_in_sight(TreeView view, float x0, float y0, float x1, float y1, float w, float h, float margin,
                       float min_zoom);

}  // namespace actorscope::gui
