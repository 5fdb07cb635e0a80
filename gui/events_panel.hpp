// Events: restarts, crashes, telemetry and node events, newest first, filtered by the
// events view-model (kinds, text, node, supervisor).
#pragma once

#include "app_state.hpp"
#include "actorscope/view/events.hpp"

namespace actorscope::gui {

class EventsPanel {
 public:
  void draw(AppState& app);

 private:
  view::EventsList list_;
  view::EventsQuery query_{view::kInterestingEvents, {}, 0};
  char filter_[128] = {};
};

}  // namespace actorscope::gui
