// Overview: totals, the history charts with a time cursor to look back, and the nodes.
#pragma once

#include "app_state.hpp"
#include "series_cache.hpp"

namespace actorscope::gui {

class OverviewPanel {
 public:
  void draw(AppState& app);

 private:
  void draw_cards(AppState& app);
  void draw_charts(AppState& app);
  void draw_nodes(AppState& app);
  SeriesCache series_;
  int cursor_ = -1;  // seconds back from now; -1: now
};

}  // namespace actorscope::gui
