// Draws the actor context menu; names and paths come from the view library.
#include "actor_menu.hpp"

#include "probe.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/export.hpp"
#include "imgui.h"

namespace actorscope::gui {

bool actor_context_menu(AppState& app, view::ActorKey key, const std::string& row) {
  if (!ImGui::BeginPopupContextItem("actor-menu")) return false;
  const view::Replica& r = app.replica();
  const std::string name = view::actor_name(r, key);
  const bool live = r.actor(key) != nullptr;
  ImGui::TextDisabled("%s", name.c_str());
  ImGui::Separator();
  if (ImGui::MenuItem("Open")) app.open_actor(key);
  if (ImGui::MenuItem("Show in tree", nullptr, false, live)) app.jump_to(key);
  ImGui::Separator();
  if (ImGui::MenuItem("Copy name")) ImGui::SetClipboardText(name.c_str());
  probe::item("menu Copy name");
  if (ImGui::MenuItem("Copy id")) ImGui::SetClipboardText(std::to_string(key.actor).c_str());
  if (ImGui::MenuItem("Copy path")) ImGui::SetClipboardText(view::actor_path(r, key).c_str());
  if (!row.empty() && ImGui::MenuItem("Copy row")) ImGui::SetClipboardText(row.c_str());
  ImGui::Separator();
  if (ImGui::MenuItem("Filter by this")) {
    app.filter = name;
    app.switch_to = Panel::Actors;
  }
  if (app.feed.commands_allowed() && live) {
    ImGui::Separator();
    // the actor's window asks once more, naming the actor, before anything is sent
    if (ImGui::MenuItem("Kill...")) {
      app.open_actor(key);
      app.confirm_kill = key;
    }
  }
  ImGui::EndPopup();
  return true;
}

}  // namespace actorscope::gui
