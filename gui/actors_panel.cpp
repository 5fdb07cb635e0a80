// Draws the Actors table: ImGui's sort specs drive the view-model's query, and only the
// rows in sight are fetched (ImGuiListClipper + ActorsTable::window).
#include "actors_panel.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>
#include <string>

#include "actor_menu.hpp"
#include "actorscope/view/tree_box.hpp"
#include "csv_export.hpp"
#include "imgui_internal.h"  // ImGuiItemFlags_NoNav: the rows' keyboard moves are ours
#include "probe.hpp"
#include "style.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/export.hpp"
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
    {"Growth/s", ActorColumn::Growth, ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending, 80},
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

void ActorsPanel::set_filter(const std::string& text) {
  std::snprintf(filter_, sizeof filter_, "%s", text.c_str());
}

// Up/Down, Page Up/Down, Home/End move the selection and Enter opens it, whenever the main
// window has the keyboard and no text field does: the first key works, no click needed.
void ActorsPanel::handle_keys(AppState& app, float rows_in_sight) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || io.KeyCtrl || io.KeyAlt || table_.size() == 0) return;
  if (ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel)) return;
  // an actor window in front keeps its keys
  if (ImGui::IsWindowFocused(ImGuiFocusedFlags_AnyWindow) && !ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows))
    return;
  auto pressed = [](ImGuiKey k) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(k), true); };
  const size_t n = table_.size();
  const size_t at = app.selected ? table_.position_of(*app.selected) : n;
  const long page = std::max(1L, static_cast<long>(rows_in_sight) - 1);
  long to = -1;
  if (pressed(ImGuiKey_DownArrow)) to = at >= n ? 0 : static_cast<long>(at) + 1;
  else if (pressed(ImGuiKey_UpArrow)) to = at >= n ? 0 : static_cast<long>(at) - 1;
  else if (pressed(ImGuiKey_PageDown)) to = at >= n ? page : static_cast<long>(at) + page;
  else if (pressed(ImGuiKey_PageUp)) to = at >= n ? 0 : static_cast<long>(at) - page;
  else if (pressed(ImGuiKey_Home)) to = 0;
  else if (pressed(ImGuiKey_End)) to = static_cast<long>(n) - 1;
  else if (at < n && (pressed(ImGuiKey_Enter) || pressed(ImGuiKey_KeyPadEnter))) app.open_actor(*app.selected);
  if (to < 0 && !(pressed(ImGuiKey_UpArrow) || pressed(ImGuiKey_PageUp))) return;
  const size_t row = static_cast<size_t>(std::clamp(to, 0L, static_cast<long>(n) - 1));
  auto rows = table_.window(row, 1);
  if (rows.empty()) return;
  app.select(rows.front()->key());
  scroll_to_ = row;
}

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
  if (app.filter) {
    set_filter(*app.filter);
    app.filter.reset();
  }
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
  ImGui::SameLine();
  if (ImGui::SmallButton("Export CSV")) {
    // every row the filter lets through, in the table's order
    std::vector<std::string> lines;
    const auto all = table_.window(0, table_.size());
    lines.reserve(all.size());
    for (const view::Actor* a : all) lines.push_back(view::actors_csv_row(r, *a));
    exported_ = export_csv("actors", view::actors_csv_header(), lines, r.last_tick().wall_ns);
  }
  if (!exported_.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", exported_.c_str());
  }
  if (!ImGui::BeginTable("actors", static_cast<int>(std::size(kColumns)), flags, ImVec2(0, 0))) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  // The rate's unit follows the nodes shown: messages, or reductions for BEAM nodes.
  static constexpr const char* kRateHeader[] = {"Messages/s", "Reductions/s", "Rate"};
  const char* rate_header = kRateHeader[static_cast<int>(view::rate_column(r, app.node))];
  for (const Column& c : kColumns)
    ImGui::TableSetupColumn(c.column == ActorColumn::MessagesPerSec ? rate_header : c.title, c.flags, c.width,
                            static_cast<ImGuiID>(c.column));
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

  const float row_h = ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y;
  const float sight = ImGui::GetWindowHeight() - row_h;  // below the frozen header row
  handle_keys(app, sight / row_h);
  if (scroll_to_) {
    // keep the moved-to row in sight, scrolling as little as possible
    const float y = static_cast<float>(*scroll_to_) * row_h;
    if (y < ImGui::GetScrollY()) ImGui::SetScrollY(y);
    else if (y + row_h > ImGui::GetScrollY() + sight) ImGui::SetScrollY(y + row_h - sight);
    scroll_to_.reset();
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
      ImGui::PushItemFlag(ImGuiItemFlags_NoNav, true);
      if (ImGui::Selectable(label.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
        app.select(key);
        if (ImGui::IsMouseDoubleClicked(0)) app.open_actor(key);
      }
      ImGui::PopItemFlag();
      if (ImGui::TableGetRowIndex() == 1) {  // the first row below the header
        probe::item("actor-row 0");
        probe::value("actor-row 0 name", label);
      }
      if (ImGui::IsItemHovered() && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) app.select(key);
      {
        const pv::NodeRow* node = r.node(a->row.node);
        const std::string row_text = label + "\t" + a->row.type + "\t" + (node ? node->name : "?") + "\t" +
                                     std::string(pv::name(a->stats.state)) + "\t" + view::format_count(a->stats.mailbox) +
                                     "\t" + view::growth_cell(a->stats) + "\t" + view::format_actor_rate(r, a->row.node, a->msgs_per_s()) + "\t" +
                                     view::busy_cell(r, *a) + "\t" +
                                     view::format_count(a->stats.restarts);
        actor_context_menu(app, key, row_text);
      }
      if (selected) probe::value("selected", label);
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
      {  // fill − drain: growing in the warning colour, "-" where the fill rate is not known
        const bool growing = view::growth_severity(a->stats) != view::Severity::normal;
        right_aligned(view::growth_cell(a->stats), growing ? style::kWarn : style::kTextMuted);
      }
      ImGui::TableNextColumn();
      right_aligned(view::format_actor_rate(r, a->row.node, a->msgs_per_s()));
      ImGui::TableNextColumn();
      right_aligned(view::busy_cell(r, *a));  // "-" on a BEAM node: busy time is not known there
      ImGui::TableNextColumn();
      right_aligned(view::format_count(a->stats.restarts), a->stats.restarts ? style::kRestart : style::kText);
    }
  }
  ImGui::EndTable();
}

}  // namespace actorscope::gui
