// Warnings: the collector's lints, most severe first; a click jumps to the actor.
#pragma once

#include "AppState.hpp"

namespace actorscope::gui {

void draw_warnings(AppState& app);

}  // namespace actorscope::gui
