// The key -> action table of actorscope-top; each action returns what to do next.
#pragma once

#include <string_view>
#include <vector>

#include "ui_state.hpp"
#include "actorscope/view/client.hpp"

namespace actorscope::tui {

// Reaction flags, as in htop: what the loop must do after an action.
enum Reaction : unsigned { kNothing = 0, kRedraw = 1, kQuit = 2 };

struct ActionContext {
  UiState& ui;
  view::Client& client;  // the replica is read under client.lock()
};

using Action = unsigned (*)(ActionContext&);

struct KeyBinding {
  std::vector<int> codes;  // curses key codes or characters
  Action action;
  std::string_view keys;   // for the help screen
  std::string_view help;
};

const std::vector<KeyBinding>& key_bindings();
// What the arrows do, by `delta` rows (Help: lines), for the mouse wheel too.
unsigned move_selection(ActionContext& ctx, long delta);
// Called every turn of the main loop: starts a play that waited for the collector to say where
// its history begins, and asks for the next instant of the past being played. kRedraw when it
// asked for one or said something.
unsigned advance_playback(ActionContext& ctx, uint64_t steady_ns);
// What 1-5, ? and Tab do: switch to view `v`.
unsigned show_view(ActionContext& ctx, ViewId v);
// Runs the action bound to `key` (or feeds the search prompt while it is open).
unsigned handle_key(int key, ActionContext& ctx);

}  // namespace actorscope::tui
