// Supervision tree: a drawn tree (boxes and edges, pan, zoom, collapse) or an outline for
// huge trees. Both render the tree view-model's rows.
#pragma once

#include <algorithm>
#include <optional>

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
  float min_label_px = 10;  // zoomed out, box titles stay at least this tall (when rows allow)
  double flash_s = 3.0;     // how long a restarted actor and its supervisor flash
};

class TreePanel {
 public:
  // Restart flashes are fading: frames must keep coming.
  bool animating() const { return !flashing_.empty(); }
  void draw(AppState& app);
  // What the Fit button does, on the next frame (screenshots of a fitted tree).
  void fit_next_frame() { fit_ = true; }
  void set_zoom(float z) { zoom_ = std::clamp(z, settings_.min_zoom, settings_.max_zoom); }

 private:
  void draw_toolbar(AppState& app);
  void draw_canvas(AppState& app);
  void draw_outline(AppState& app);
  void collect_flashes(const AppState& app);
  void centre_on(int row, ImVec2 canvas_size);
  // Zoom and pan so that every laid-out box is in sight (down to min_zoom).
  void fit(ImVec2 canvas_size);
  // After an expansion: the least move (zooming out if need be) that shows the box, its
  // parent and the column of its children.
  void show_with_context(int row, ImVec2 canvas_size);

  TreeCanvasSettings settings_;
  view::TreeModel model_{view::TreeSettings{8, 4}};
  std::vector<TreeSlot> slots_;
  bool outline_ = false;
  ImVec2 pan_{40, 40};   // canvas offset of the tree's origin, in pixels
  float zoom_ = 1.0f;
  int centre_row_ = -1;  // scroll here on the next frame
  bool fit_ = false;     // "Fit" was pressed: fit on the next canvas frame
  struct Anchor {
    size_t row;  // the row expanded or collapsed (rows before it do not move)
    ImVec2 at;   // where its box was, relative to the canvas
  };
  std::optional<Anchor> anchor_;
  int context_row_ = -1;  // just expanded: bring it, its parent and its children's column in sight
  // actor -> seconds left to flash (restarted, or a supervisor that restarted a child)
  std::unordered_map<view::ActorKey, double, view::ActorKeyHash> flashing_;
  std::optional<view::ActorKey> menu_key_;  // the box whose context menu is open
  uint64_t flash_seq_ = 0;  // events up to this seq were looked at
};

}  // namespace actorscope::gui
