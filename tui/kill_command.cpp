// Killing the selected actor: ask for confirmation, send the kill, show the collector's answer.
#include "kill_command.hpp"

#include <optional>
#include <string>

#include "selection.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/warnings.hpp"

namespace actorscope::tui {

std::optional<view::ActorKey> selected_actor(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.view == ViewId::Detail) return ui.detail;
  auto lock = ctx.client.lock();
  const view::Replica& r = ctx.client.replica();
  follow_selection(ui, ui.view, r);
  size_t sel = ui.cursor[static_cast<size_t>(ui.view)].selected;
  if (ui.view == ViewId::Tree) {
    if (sel < ui.tree.rows().size() && ui.tree.rows()[sel].kind == view::TreeRowKind::Actor)
      return ui.tree.rows()[sel].actor->key();
  } else if (ui.view == ViewId::Actors) {
    auto w = ui.actors.window(sel, 1);
    if (!w.empty()) return w[0]->key();
  } else if (ui.view == ViewId::Warnings) {
    auto w = view::warnings(r, ui.node);
    if (sel < w.size() && w[sel]->actor) return view::ActorKey{w[sel]->node, w[sel]->actor};
  }
  return std::nullopt;
}

namespace {

std::string describe(ActionContext& ctx, view::ActorKey key) {
  auto lock = ctx.client.lock();
  return view::actor_name(ctx.client.replica(), key) + " (" + std::to_string(key.actor) + ")";
}

}  // namespace

unsigned ask_kill(ActionContext& ctx) {
  UiState& ui = ctx.ui;
  if (ui.view != ViewId::Tree && ui.view != ViewId::Actors && ui.view != ViewId::Detail) {
    ui.message = "kill: select an actor in Tree, Actors or Detail";
    return kRedraw;
  }
  if (!ctx.client.commands_allowed()) {
    ui.message = "kill: the collector does not accept commands (start it with --allow-commands)";
    return kRedraw;
  }
  auto key = selected_actor(ctx);
  if (!key) {
    ui.message = "kill: no actor selected";
    return kRedraw;
  }
  ui.kill_asked = key;
  ui.message = "kill " + describe(ctx, *key) + "? (y/n)";
  return kRedraw;
}

unsigned answer_kill(int key, ActionContext& ctx) {
  UiState& ui = ctx.ui;
  view::ActorKey target = *ui.kill_asked;
  ui.kill_asked.reset();
  if (key != 'y' && key != 'Y') {
    ui.message = "kill cancelled";
    return kRedraw;
  }
  ui.message = "kill " + describe(ctx, target) + ": sent, waiting for the answer";
  ui.kill_request = ctx.client.kill(target.node, target.actor);
  return kRedraw;
}

void show_kill_result(UiState& ui, const view::Replica& replica) {
  if (!ui.kill_request) return;
  const auto& res = replica.command();
  if (!res || res->request != ui.kill_request) return;
  ui.kill_request = 0;
  ui.message = "kill: " + res->message;
}

}  // namespace actorscope::tui
