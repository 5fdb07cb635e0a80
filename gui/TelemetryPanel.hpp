// Telemetry: per event name, count and rate, and per measurement its distribution.
#pragma once

#include "AppState.hpp"

namespace actorscope::gui {

void draw_telemetry(AppState& app);

}  // namespace actorscope::gui
