// Selection by identity: a list's selection stays on the same item (actor, event, warning,
// tree row, telemetry line) when new rows arrive above it, not on the same row number.
#pragma once

#include "ui_state.hpp"

namespace actorscope::tui {

// Brings the view-model of view `v` up to date with the replica and puts its cursor back on
// the item it was on (if that item is still listed); returns the number of rows.
size_t follow_selection(UiState& ui, ViewId v, const view::Replica& r);
// Notes which item the cursor of view `v` is on now, after a key, a click or a draw moved it.
void remember_selection(UiState& ui, ViewId v, const view::Replica& r);

}  // namespace actorscope::tui
