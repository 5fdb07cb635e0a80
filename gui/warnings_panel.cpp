// Draws the warnings view-model as a table; each row jumps to its actor in the tree.
#include "warnings_panel.hpp"

#include <string>

#include "style.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/warnings.hpp"
#include "imgui.h"

namespace actorscope::gui {

void draw_warnings(AppState& app) {
  const auto warnings = view::warnings(app.replica(), app.node);
  if (warnings.empty()) {
    ImGui::TextColored(style::kGood, "No warnings: mailboxes, handlers, restarts and drops look healthy.");
    return;
  }
  ImGui::TextDisabled("%zu warnings. Click one to show its actor in the supervision tree; double-click to open it.",
                      warnings.size());
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("warnings", 5, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Severity", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthFixed, 170);
  ImGui::TableSetupColumn("Node", ImGuiTableColumnFlags_WidthFixed, 120);
  ImGui::TableSetupColumn("Actor", ImGuiTableColumnFlags_WidthFixed, 160);
  ImGui::TableSetupColumn("What", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  int i = 0;
  for (const pv::Warning* l : warnings) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushID(i++);
    const ImVec4 c = style::severity_colour(view::warning_severity(*l), style::kAccent);
    ImGui::PushStyleColor(ImGuiCol_Text, c);
    const view::ActorKey key{l->node, l->actor};
    const bool selected = l->actor && app.selected && *app.selected == key;
    if (ImGui::Selectable(std::string(pv::name(l->severity)).c_str(), selected,
                          ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick) && l->actor) {
      if (ImGui::IsMouseDoubleClicked(0))
        app.open_actor(key);
      else
        app.jump_to(key);
    }
    ImGui::PopStyleColor();
    ImGui::PopID();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(l->kind.c_str());
    ImGui::TableNextColumn();
    const pv::NodeRow* n = app.replica().node(l->node);
    ImGui::TextUnformatted(n ? n->name.c_str() : "?");
    ImGui::TableNextColumn();
    const std::string subject = view::warning_subject(app.replica(), *l);
    if (l->actor)
      ImGui::TextUnformatted(subject.c_str());
    else
      ImGui::TextDisabled("%s", subject.c_str());
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", l->text.c_str());
  }
  ImGui::EndTable();
}

}  // namespace actorscope::gui
