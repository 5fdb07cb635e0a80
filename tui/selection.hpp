// Selection by identity: a list's selection stays on the same item (actor, event, warning,
// tree row, telemetry line) when new rows arrive above it, not on the same row number.
#pragma once

#include "ui_state.hpp"

namespace actorscope::tui {

// How a list's cursor is put back after its rows changed.
enum class Follow {
  Item,  // on the item it was on, wherever it moved: for a key or a click acting on it
  Draw,  // the same, except that a list left at its top (ListCursor::at_top) stays there
};

// Brings the view-model of view `v` up to date with the replica and puts its cursor back on
// the item it was on (if that item is still listed); returns the number of rows.
size_t follow_selection(UiState& ui, ViewId v, const view::Replica& r, Follow how = Follow::Item);
// Notes which item the cursor of view `v` is on now, after a key, a click or a draw moved it.
void remember_selection(UiState& ui, ViewId v, const view::Replica& r);

}  // namespace actorscope::tui
