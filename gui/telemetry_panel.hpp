// Telemetry: per event name, count and rate, and per measurement its distribution.
#pragma once

#include "app_state.hpp"

namespace actorscope::gui {

void draw_telemetry(AppState& app);

}  // namespace actorscope::gui
