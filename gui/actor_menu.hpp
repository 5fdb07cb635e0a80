// The right-click menu of anything that names an actor (tables, tree boxes, event rows):
// open, show in tree, copy name / id / path / row, filter by this, kill.
#pragma once

#include <string>

#include "app_state.hpp"

namespace actorscope::gui {

// Call right after the item that names `key`; `row` is the row's text for "Copy row"
// (empty: no such entry). Returns true while the menu is open.
bool actor_context_menu(AppState& app, view::ActorKey key, const std::string& row = {});

}  // namespace actorscope::gui
