// Positions of the tree rows on the drawn canvas: children in a column to the right of
// their parent, each parent centred on its children (like observer's Applications tab).
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

}  // namespace actorscope::gui
