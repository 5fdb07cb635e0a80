// Actors: every live actor in one virtualised, sortable, filterable table.
#pragma once

#include "app_state.hpp"
#include "actorscope/view/actors_table.hpp"

namespace actorscope::gui {

class ActorsPanel {
 public:
  void draw(AppState& app);
  // Puts the keyboard focus in the filter box on the next frame.
  void focus_filter() { focus_filter_ = true; }

 private:
  view::ActorsTable table_;
  view::ActorsQuery query_;
  char filter_[128] = {};
  bool focus_filter_ = false;
};

}  // namespace actorscope::gui
