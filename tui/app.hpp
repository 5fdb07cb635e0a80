// The two ways actorscope-top runs: the interactive loop, and one frame to stdout (--batch).
#pragma once

#include "options.hpp"
#include "ui_state.hpp"
#include "actorscope/view/client.hpp"

namespace actorscope::tui {

int run_interactive(view::Client& client, UiState& ui);
int run_batch(view::Client& client, UiState& ui, const Options& options);

}  // namespace actorscope::tui
