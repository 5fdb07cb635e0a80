// The two ways actorscope-top runs: the interactive loop, and one frame to stdout (--batch).
#pragma once

#include "options.hpp"
#include "ui_state.hpp"
#include "actorscope/view/client.hpp"

namespace actorscope::tui {

// With `mouse`, clicks and the wheel act (--no-mouse leaves the mouse to the terminal).
int run_interactive(view::Client& client, UiState& ui, bool mouse);
int run_batch(view::Client& client, UiState& ui, const Options& options);

}  // namespace actorscope::tui
