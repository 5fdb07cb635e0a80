// Events: restarts, crashes, telemetry and node events, newest first, filtered by the
// events view-model (kinds, text, node, supervisor).
#pragma once

#include <string>

#include "app_state.hpp"
#include "actorscope/view/events.hpp"

namespace actorscope::gui {

class EventsPanel {
 public:
  void draw(AppState& app);

 private:
  view::EventsList list_;
  view::EventsQuery query_{view::kInterestingEvents, {}, 0};
  std::string exported_;  // what the last CSV export wrote, or why it could not
  char filter_[128] = {};
};

}  // namespace actorscope::gui
