// The mouse in actorscope-top: a click on a tab shows that view, a click on a row selects it,
// the wheel scrolls the list (or the help).
#pragma once

#include "keys.hpp"

namespace actorscope::tui {

struct MouseEvent {
  enum class Kind : unsigned char { Click, WheelUp, WheelDown };
  Kind kind = Kind::Click;
  int x = 0, y = 0;  // screen cell
};

// Rows the wheel moves per notch.
inline constexpr long kWheelRows = 3;

// Acts on a mouse event, with the geometry of the last frame drawn (UiState's tabs and list).
unsigned handle_mouse(const MouseEvent& m, ActionContext& ctx);

}  // namespace actorscope::tui
