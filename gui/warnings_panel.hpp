// Warnings: the collector's warnings, most severe first; a click jumps to the actor.
#pragma once

#include "app_state.hpp"

namespace actorscope::gui {

void draw_warnings(AppState& app);

}  // namespace actorscope::gui
