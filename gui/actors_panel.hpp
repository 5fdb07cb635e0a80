// Actors: every live actor in one virtualised, sortable, filterable table.
#pragma once

#include <optional>
#include <string>

#include "app_state.hpp"
#include "actorscope/view/actors_table.hpp"

namespace actorscope::gui {

class ActorsPanel {
 public:
  void draw(AppState& app);
  // Puts the keyboard focus in the filter box on the next frame.
  void focus_filter() { focus_filter_ = true; }
  // Shows only what matches `text` (the context menu's "Filter by this").
  void set_filter(const std::string& text);

 private:
  view::ActorsTable table_;
  view::ActorsQuery query_;
  char filter_[128] = {};
  bool focus_filter_ = false;
  // Keyboard: the selection moves with the arrows from the first key, clicked or not.
  void handle_keys(AppState& app, float rows_in_sight);
  std::optional<size_t> scroll_to_;
  std::string exported_;  // what the last CSV export wrote, or why it could not  // a row the keys moved to, brought into sight

};

}  // namespace actorscope::gui
