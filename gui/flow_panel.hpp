// The Flow panel: actor types in columns from the sources (left) to the sinks, edges whose
// width grows with the estimated rate, each coloured by its receiver's backlog; below, every
// edge in a list, and the rate history of the edge clicked (the viewer's own record).
#pragma once

#include <optional>

#include "app_state.hpp"
#include "actorscope/view/flow.hpp"

namespace actorscope::gui {

struct FlowPanelSettings {
  size_t max_drawn_edges = 48;  // edges drawn on the map, busiest first; the others are counted, and listed
  size_t max_labels = 24;       // edges labelled "~N/s" on the map, busiest first
  float max_edge_px = 9.0f;     // the busiest edge's width; width grows with log(1 + rate)
  float box_width = 170.0f;     // a type's box, at scale 1
  float box_height = 44.0f;
  float row_gap = 30.0f;        // between boxes of one column
  float map_share = 0.56f;      // of the panel's height, for the map; the rest: list and history
};

class FlowPanel {
 public:
  void draw(AppState& app);
  // Screenshots: the busiest edge is selected once there is one, so that its history shows.
  void select_busiest() { select_busiest_ = true; }

 private:
  void draw_map(AppState& app, const view::FlowMap& m, float height);
  void draw_list(AppState& app, const view::FlowMap& m);
  void draw_history(AppState& app, const view::FlowMap& m);

  FlowPanelSettings settings_;
  std::optional<view::Replica::FlowKey> selected_;
  bool select_busiest_ = false;
};

}  // namespace actorscope::gui
