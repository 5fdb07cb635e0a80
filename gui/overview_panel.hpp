// Overview: totals, the history charts (a click shows that instant in every panel), and the nodes.
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
};

}  // namespace actorscope::gui
