// Draws the Events list: kind toggles, a text filter and a supervisor filter over the
// events view-model; a click selects the actor, a double-click opens it.
#include "EventsPanel.hpp"

#include <string>

#include "Style.hpp"
#include "actorscope/view/format.hpp"
#include "imgui.h"

namespace actorscope::gui {
namespace {

ImVec4 kind_colour(wire::EventKind k) {
  switch (k) {
    case wire::EventKind::Crashed: return style::kBad;
    case wire::EventKind::Restarted: return style::kRestart;
    case wire::EventKind::Telemetry: return style::kAccent;
    case wire::EventKind::NodeDown: return style::kWarn;
    case wire::EventKind::NodeUp: return style::kGood;
    default: return style::kTextMuted;
  }
}

}  // namespace

void EventsPanel::draw(AppState& app) {
  const view::Replica& r = app.replica();
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("SHOW");
  for (size_t k = 0; k < wire::kEventKindCount; ++k) {
    const auto kind = static_cast<wire::EventKind>(k);
    bool on = query_.kinds & wire::kind_bit(kind);
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, on ? kind_colour(kind) : style::kTextMuted);
    if (ImGui::Checkbox(std::string(wire::name(kind)).c_str(), &on)) query_.kinds ^= wire::kind_bit(kind);
    ImGui::PopStyleColor();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(260);
  ImGui::InputTextWithHint("##filter", "name, reason or text", filter_, sizeof filter_);
  query_.filter = filter_;
  query_.node = app.node;
  if (supervisor_.actor) {
    ImGui::SameLine();
    const view::Actor* s = r.actor(supervisor_);
    if (ImGui::Button(("supervisor: " + (s ? s->row.name : std::to_string(supervisor_.actor)) + "  x").c_str()))
      supervisor_ = {};
  }
  list_.update(r, query_);

  // The supervisor filter is applied here over the filtered list: it is a property of
  // restart events only, and the list is already bounded by the replica's event cap.
  std::vector<const wire::Event*> shown;
  shown.reserve(list_.size());
  for (const wire::Event* e : list_.rows())
    if (!supervisor_.actor || (e->node == supervisor_.node && (e->supervisor == supervisor_.actor || e->actor == supervisor_.actor)))
      shown.push_back(e);
  ImGui::SameLine();
  ImGui::TextDisabled("%zu events (%s dropped by the size cap)", shown.size(), view::format_count(r.events_dropped()).c_str());

  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("events", 6, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Time", ImGuiTableColumnFlags_WidthFixed, 80);
  ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableSetupColumn("Node", ImGuiTableColumnFlags_WidthFixed, 120);
  ImGui::TableSetupColumn("Actor / event", ImGuiTableColumnFlags_WidthFixed, 200);
  ImGui::TableSetupColumn("Supervisor", ImGuiTableColumnFlags_WidthFixed, 140);
  ImGui::TableSetupColumn("Reason / measurements", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(shown.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const wire::Event& e = *shown[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(static_cast<int>(e.seq));
      const view::ActorKey key{e.node, e.actor};
      const bool selected = app.selected && *app.selected == key && e.actor;
      if (ImGui::Selectable(view::format_clock(e.wall_ns).c_str(), selected,
                            ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick) &&
          e.actor) {
        app.select(key);
        if (ImGui::IsMouseDoubleClicked(0)) app.open_actor(key);
      }
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextColored(kind_colour(e.kind), "%s", std::string(wire::name(e.kind)).c_str());
      ImGui::TableNextColumn();
      const wire::NodeRow* n = r.node(e.node);
      ImGui::TextUnformatted(n ? n->name.c_str() : "?");
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.name.c_str());
      ImGui::TableNextColumn();
      if (e.supervisor) {
        const view::Actor* s = r.actor({e.node, e.supervisor});
        ImGui::PushID(static_cast<int>(e.seq));
        if (ImGui::SmallButton(s ? s->row.name.c_str() : std::to_string(e.supervisor).c_str())) supervisor_ = {e.node, e.supervisor};
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show only this supervisor's events");
        ImGui::PopID();
      }
      ImGui::TableNextColumn();
      if (e.kind == wire::EventKind::Crashed || e.kind == wire::EventKind::Exited)
        ImGui::TextUnformatted(view::format_reason(e.reason, e.text).c_str());
      else
        ImGui::TextUnformatted(e.text.c_str());
    }
  }
  ImGui::EndTable();
}

}  // namespace actorscope::gui
