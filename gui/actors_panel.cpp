// Draws the Actors table: ImGui's sort specs drive the view-model's query, and only the
// rows in sight are fetched (ImGuiListClipper + ActorsTable::window).
#include "actors_panel.hpp"

#include <string>

#include "style.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"
#include "imgui.h"

namespace actorscope::gui {
namespace {

using view::ActorColumn;

struct Column {
  const char* title;
  ActorColumn column;
  ImGuiTableColumnFlags flags;
  float width;  // 0: stretch
};
const Column kColumns[] = {
    {"Name", ActorColumn::Name, ImGuiTableColumnFlags_WidthStretch, 0},
    {"Type", ActorColumn::Type, ImGuiTableColumnFlags_WidthStretch, 0},
    {"Node", ActorColumn::Node, ImGuiTableColumnFlags_WidthFixed, 130},
    {"State", ActorColumn::State, ImGuiTableColumnFlags_WidthFixed, 90},
    {"Mailbox", ActorColumn::Mailbox, ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_DefaultSort |
                                          ImGuiTableColumnFlags_PreferSortDescending, 90},
    {"Messages/s", ActorColumn::MessagesPerSec, ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending, 100},
    {"Processing", ActorColumn::ProcessingTime, ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending, 100},
    {"Restarts", ActorColumn::Restarts, ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending, 80},
};

bool is_text(ActorColumn c) {
  return c == ActorColumn::Name || c == ActorColumn::Type || c == ActorColumn::Node || c == ActorColumn::State;
}

void right_aligned(const std::string& s, ImVec4 colour = style::kText) {
  float w = ImGui::CalcTextSize(s.c_str()).x;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - w);
  ImGui::TextColored(colour, "%s", s.c_str());
}

}  // namespace

void ActorsPanel::draw(AppState& app) {
  const view::Replica& r = app.replica();
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("FILTER");
  ImGui::SameLine();
  if (focus_filter_) {
    ImGui::SetKeyboardFocusHere();
    focus_filter_ = false;
  }
  ImGui::SetNextItemWidth(360);
  ImGui::InputTextWithHint("##filter", "name, type or child id  (Ctrl+F)", filter_, sizeof filter_);
  query_.filter = filter_;
  query_.node = app.node;

  // ImGui's sort specs become the view-model's query (one sort column).
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable | ImGuiTableFlags_Hideable |
                                ImGuiTableFlags_Reorderable | ImGuiTableFlags_SizingFixedFit;
  ImGui::SameLine();
  table_.update(r, query_);
  ImGui::TextDisabled("%s of %s actors", view::format_count(table_.size()).c_str(),
                      view::format_count(r.actor_count()).c_str());
  if (!ImGui::BeginTable("actors", static_cast<int>(std::size(kColumns)), flags, ImVec2(0, 0))) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  for (const Column& c : kColumns) ImGui::TableSetupColumn(c.title, c.flags, c.width, static_cast<ImGuiID>(c.column));
  ImGui::TableHeadersRow();
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsCount > 0) {
    const ImGuiTableColumnSortSpecs& s = specs->Specs[0];
    query_.sort = static_cast<ActorColumn>(s.ColumnUserID);
    // the view-model's natural order: numbers descending, text ascending
    const bool natural = is_text(query_.sort) ? s.SortDirection == ImGuiSortDirection_Ascending
                                              : s.SortDirection == ImGuiSortDirection_Descending;
    query_.inverted = !natural;
    specs->SpecsDirty = false;
    table_.update(r, query_);
  }

  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(table_.size()));
  while (clipper.Step()) {
    auto rows = table_.window(static_cast<size_t>(clipper.DisplayStart),
                              static_cast<size_t>(clipper.DisplayEnd - clipper.DisplayStart));
    for (const view::Actor* a : rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const view::ActorKey key = a->key();
      const bool selected = app.selected && *app.selected == key;
      ImGui::PushID(static_cast<int>(a->row.actor ^ (uint64_t{a->row.node} << 24)));
      const std::string label = view::display_name(*a);
      if (ImGui::Selectable(label.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
        app.select(key);
        if (ImGui::IsMouseDoubleClicked(0)) app.open_actor(key);
      }
      if (selected && ImGui::IsItemFocused() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter))) app.open_actor(key);
      if (ImGui::IsItemFocused() && !selected) app.select(key);  // arrow keys move the selection
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextColored(a->is_supervisor() ? style::kAccent : style::kTextMuted, "%s", a->row.type.c_str());
      ImGui::TableNextColumn();
      const pv::NodeRow* n = r.node(a->row.node);
      ImGui::TextUnformatted(n ? n->name.c_str() : "?");
      ImGui::TableNextColumn();
      const bool running = a->stats.state == pv::ActorState::Running;
      ImGui::TextColored(running ? style::kGood : style::kWarn, "%s", std::string(pv::name(a->stats.state)).c_str());
      ImGui::TableNextColumn();
      right_aligned(view::format_count(a->stats.mailbox),
                    style::severity_colour(view::mailbox_severity(a->stats.mailbox, app.settings.thresholds)));
      ImGui::TableNextColumn();
      right_aligned(view::format_rate(a->msgs_per_s()));
      ImGui::TableNextColumn();
      right_aligned(view::format_duration_ns(a->stats.busy_ns));
      ImGui::TableNextColumn();
      right_aligned(view::format_count(a->stats.restarts), a->stats.restarts ? style::kRestart : style::kText);
    }
  }
  ImGui::EndTable();
}

}  // namespace actorscope::gui
