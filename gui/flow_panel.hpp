// The Flow panel: actor types in columns from the sources (left) to the sinks, edges whose
// width grows with the estimated rate, each coloured by its receiver's backlog; below, every
// edge in a list, and the rate history of the edge clicked (the viewer's own record).
#pragma once

#include <optional>
#include <string>

#include "app_state.hpp"
#include "actorscope/view/child.hpp"
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
  uint32_t subtree_children = 24;    // by subtree: children drawn as groups, the quieter rest folded
  double subtree_refresh_s = 1.0;    // by subtree: how often the collector is asked again
};

class FlowPanel {
 public:
  void draw(AppState& app);
  // Screenshots: the busiest edge is selected once there is one, so that its history shows.
  void select_busiest() { select_busiest_ = true; }
  // Shows the flow among the child subtrees of `supervisor` (a supervisor, or a worker: its
  // supervisor); an empty key: back to the map by type.
  void show_subtree(std::optional<view::ActorKey> supervisor) {
    subtree_ = supervisor;
    asked_at_ = -1;
    following_ = false;
  }
  // The supervisor whose subtree is shown (0: the map by type).
  uint64_t subtree_shown() const { return subtree_ ? subtree_->actor : 0; }

 private:
  void draw_map(AppState& app, const view::FlowMap& m, float height);
  void draw_list(AppState& app, const view::FlowMap& m);
  void draw_history(AppState& app, const view::FlowMap& m);
  void draw_subtree(AppState& app);
  void draw_subtree_list(const view::FlowMap& m);

  FlowPanelSettings settings_;
  std::optional<view::Replica::FlowKey> selected_;
  bool select_busiest_ = false;
  std::optional<view::ActorKey> subtree_;  // by subtree: the supervisor shown; empty: by type
  double asked_at_ = -1;                   // when the collector was last asked (ImGui time)
  view::ActorKey asked_for_;
  view::ChildFollower subtree_child_;      // the supervisor shown, followed across its restarts
  bool following_ = false;                 // subtree_child_ was set on subtree_
  std::string no_supervisor_;              // why no subtree could be shown (a popup says it)
};

}  // namespace actorscope::gui
