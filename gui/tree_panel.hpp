// Supervision tree: a drawn tree (boxes and edges, pan, zoom, collapse) or an outline for
// huge trees. Both render the tree view-model's rows.
#pragma once

#include <unordered_map>
#include <vector>

#include "app_state.hpp"
#include "tree_layout.hpp"
#include "imgui.h"
#include "actorscope/view/tree.hpp"

namespace actorscope::gui {

struct TreeCanvasSettings {
  float box_width = 210;    // at zoom 1, in pixels
  float box_height = 46;
  float column_gap = 56;
  float row_gap = 10;
  float min_zoom = 0.15f;
  float max_zoom = 2.5f;
  double flash_s = 3.0;     // how long a restarted actor and its supervisor flash
};

class TreePanel {
 public:
  void draw(AppState& app);

 private:
  void draw_toolbar(AppState& app);
  void draw_canvas(AppState& app);
  void draw_outline(AppState& app);
  void collect_flashes(const AppState& app);
  void centre_on(int row, ImVec2 canvas_size);

  TreeCanvasSettings settings_;
  view::TreeModel model_{view::TreeSettings{8, 4}};
  std::vector<TreeSlot> slots_;
  bool outline_ = false;
  ImVec2 pan_{40, 40};   // canvas offset of the tree's origin, in pixels
  float zoom_ = 1.0f;
  int centre_row_ = -1;  // scroll here on the next frame
  // actor -> seconds left to flash (restarted, or a supervisor that restarted a child)
  std::unordered_map<view::ActorKey, double, view::ActorKeyHash> flashing_;
  uint64_t flash_seq_ = 0;  // events up to this seq were looked at
};

}  // namespace actorscope::gui
