// Killing the selected actor: ask for confirmation, send the kill, show the collector's answer.
#pragma once

#include <optional>

#include "keys.hpp"

namespace actorscope::tui {

// The actor selected in Tree, Actors, Warnings or Detail (the item the selection is on).
std::optional<view::ActorKey> selected_actor(ActionContext& ctx);
// The kill key: asks "kill <actor>? (y/n)" for the actor selected in Tree, Actors or Detail.
unsigned ask_kill(ActionContext& ctx);
// The key answering that question: y sends the kill, anything else cancels it.
unsigned answer_kill(int key, ActionContext& ctx);
// Puts the answer to a sent kill in the status line once it arrived (replica locked).
void show_kill_result(UiState& ui, const view::Replica& replica);

}  // namespace actorscope::tui
