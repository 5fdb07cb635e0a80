// Draws the supervision tree. Work per frame follows what is on screen: the layout is
// redone only when the tree model rebuilt, and boxes outside the view are skipped.
#include "tree_panel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "actor_menu.hpp"
#include "charts.hpp"
#include "drawn_text.hpp"
#include "probe.hpp"
#include "style.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/tree_box.hpp"
#include "imgui.h"

namespace actorscope::gui {
namespace {

using view::tree_box_detail;
using view::tree_box_title;

// The actor of an actor row (rows of nodes and groups have none).
view::ActorKey key_of(const view::TreeRow& row) { return row.actor ? row.actor->key() : view::ActorKey{row.item.node, 0}; }

bool row_is(const view::TreeRow& row, const std::optional<view::ActorKey>& k) {
  return k && row.kind == view::TreeRowKind::Actor && row.actor && key_of(row) == *k;
}

}  // namespace

void TreePanel::draw(AppState& app) {
  if (model_.update(app.replica(), app.node)) {
    slots_ = layout_tree(model_.rows());
    // an expanded or collapsed box stays where it was on screen: its context stays in sight
    if (anchor_ && anchor_->row < slots_.size()) {
      const float cx = (settings_.box_width + settings_.column_gap) * zoom_;
      const float cy = (settings_.box_height + settings_.row_gap) * zoom_;
      pan_ = ImVec2(anchor_->at.x - slots_[anchor_->row].x * cx, anchor_->at.y - slots_[anchor_->row].y * cy);
      // expanded: its children open in the next column, which may be out of sight, and its
      // parent moves to the middle of a longer column: both are brought back in
      const auto& rows = model_.rows();
      if (rows[anchor_->row].expanded) context_row_ = static_cast<int>(anchor_->row);
    }
    anchor_.reset();
  }
  if (app.reveal) {
    if (auto row = model_.reveal(app.replica(), *app.reveal)) {
      model_.update(app.replica(), app.node);
      slots_ = layout_tree(model_.rows());
      centre_row_ = static_cast<int>(*row);
    }
    app.reveal.reset();
  }
  collect_flashes(app);
  draw_toolbar(app);
  if (outline_)
    draw_outline(app);
  else
    draw_canvas(app);
}

void TreePanel::collect_flashes(const AppState& app) {
  const double dt = ImGui::GetIO().DeltaTime;
  for (auto it = flashing_.begin(); it != flashing_.end();) {
    it->second -= dt;
    it = it->second <= 0 ? flashing_.erase(it) : std::next(it);
  }
  const auto& events = app.replica().events();
  const uint64_t now = app.replica().last_tick().wall_ns;
  const uint64_t window = static_cast<uint64_t>(settings_.flash_s * 1e9);
  uint64_t newest = flash_seq_;
  for (auto it = events.rbegin(); it != events.rend() && it->seq > flash_seq_; ++it) {
    newest = std::max(newest, it->seq);
    if (it->kind != pv::EventKind::Restarted && it->kind != pv::EventKind::Crashed) continue;
    if (now > it->wall_ns + window) continue;
    flashing_[{it->node, it->actor}] = settings_.flash_s;
    if (it->supervisor) flashing_[{it->node, it->supervisor}] = settings_.flash_s;
  }
  flash_seq_ = newest;
}

void TreePanel::draw_toolbar(AppState& app) {
  if (ImGui::RadioButton("Drawn", !outline_)) outline_ = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("Outline", outline_)) outline_ = true;
  probe::item("tree Outline");
  ImGui::SameLine();
  ImGui::TextDisabled("|");
  ImGui::SameLine();
  if (ImGui::Button("Fit")) fit_ = true;  // done by the canvas, which knows its size
  if (ImGui::IsItemHovered()) {
    drawn_text::Pause keep;
    ImGui::SetTooltip("Zoom so that the whole expanded tree is in sight");
  }
  ImGui::SameLine();
  ImGui::TextDisabled("%zu rows shown of %s actors", model_.rows().size(),
                      view::format_count(app.replica().actor_count()).c_str());
  if (ImGui::IsItemHovered()) {
    drawn_text::Pause keep;
    ImGui::SetTooltip("Drag to pan, wheel to zoom, arrows to move.\nClick the round handle to expand or collapse,\n"
                      "click a box to select it, double-click to open the actor.");
  }
  // legend, on the right when there is room for it
  const float legend_w = 440;
  if (ImGui::GetContentRegionAvail().x < legend_w + 40) {
    ImGui::NewLine();
    return;
  }
  ImGui::SameLine(ImGui::GetContentRegionMax().x - legend_w);
  auto swatch = [](ImVec4 c, const char* label) {
    ImVec2 p = ImGui::GetCursorScreenPos();
    float s = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + s, p.y + s), style::u32(c), 3.0f);
    ImGui::Dummy(ImVec2(s, s));
    ImGui::SameLine();
    ImGui::TextDisabled("%s", label);
    ImGui::SameLine();
  };
  const view::DisplayThresholds& t = app.settings.thresholds;
  const uint64_t warn = view::mailbox_depth_at(view::Severity::warn, t);
  const uint64_t critical = view::mailbox_depth_at(view::Severity::critical, t);
  swatch(style::kSupervisor, "supervisor");
  swatch(style::mailbox_colour(1, t), "mailbox 1");
  swatch(style::mailbox_colour(warn, t), view::format_count(warn).c_str());
  swatch(style::mailbox_colour(critical, t), (view::format_count(critical) + "+").c_str());
  swatch(style::kRestart, "restarted");
  ImGui::NewLine();
}

void TreePanel::centre_on(int row, ImVec2 size) {
  if (row < 0 || row >= static_cast<int>(slots_.size())) return;
  const float bw = settings_.box_width + settings_.column_gap, bh = settings_.box_height + settings_.row_gap;
  // left of centre: the tree grows to the right, so that is where the context is
  pan_.x = size.x * 0.3f - (slots_[row].x * bw + settings_.box_width * 0.5f) * zoom_;
  pan_.y = size.y * 0.45f - (slots_[row].y * bh + settings_.box_height * 0.5f) * zoom_;
  // no empty band below the tree's last row when the tree is taller than the view
  float bottom = 0;
  for (const TreeSlot& s : slots_) bottom = std::max(bottom, s.y);
  const float tree_h = (bottom * bh + settings_.box_height) * zoom_ + 40;
  if (tree_h > size.y) pan_.y = std::max(pan_.y, size.y - tree_h);
}

void TreePanel::show_with_context(int row, ImVec2 size) {
  if (row < 0 || row >= static_cast<int>(slots_.size())) return;
  const float cw = settings_.box_width + settings_.column_gap, ch = settings_.box_height + settings_.row_gap;
  const TreeSlot& s = slots_[row];
  float x0 = s.x * cw, y0 = s.y * ch, x1 = x0 + settings_.box_width, y1 = y0 + settings_.box_height;
  if (s.parent >= 0) {
    const TreeSlot& p = slots_[s.parent];
    x0 = std::min(x0, p.x * cw);
    y0 = std::min(y0, p.y * ch);
    y1 = std::max(y1, p.y * ch + settings_.box_height);
  }
  if (row + 1 < static_cast<int>(slots_.size()) && slots_[row + 1].parent == row)
    x1 = (s.x + 1) * cw + settings_.box_width + 14;  // the children's column, with its handles
  const TreeView v = keep_in_sight({pan_.x, pan_.y, zoom_}, x0, y0, x1, y1, size.x, size.y, 24, settings_.min_zoom);
  pan_ = ImVec2(v.pan_x, v.pan_y);
  zoom_ = v.zoom;
}

void TreePanel::fit(ImVec2 size) {
  if (slots_.empty()) return;
  float right = 0, bottom = 0;
  for (const TreeSlot& s : slots_) {
    right = std::max(right, s.x);
    bottom = std::max(bottom, s.y);
  }
  const float margin = 40;
  const float tree_w = (right * (settings_.box_width + settings_.column_gap) + settings_.box_width + 14);
  const float tree_h = (bottom * (settings_.box_height + settings_.row_gap) + settings_.box_height);
  const float z = std::min((size.x - 2 * margin) / tree_w, (size.y - 2 * margin) / tree_h);
  zoom_ = std::clamp(z, settings_.min_zoom, 1.0f);
  // centred when it fits; from the top left when even the smallest zoom cannot show it all
  pan_.x = std::max(margin, (size.x - tree_w * zoom_) * 0.5f);
  pan_.y = std::max(margin, (size.y - tree_h * zoom_) * 0.5f);
}

void TreePanel::draw_canvas(AppState& app) {
  const view::Replica& r = app.replica();
  const auto& rows = model_.rows();
  ImGui::BeginChild("canvas", ImVec2(0, 0), true, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 size = ImGui::GetContentRegionAvail();
  if (centre_row_ >= 0) {
    centre_on(centre_row_, size);
    centre_row_ = -1;
  }
  if (fit_) {
    fit(size);
    fit_ = false;
  }
  if (context_row_ >= 0) {
    show_with_context(context_row_, size);
    context_row_ = -1;
  }
  ImGui::InvisibleButton("surface", size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonMiddle);
  const bool hovered = ImGui::IsItemHovered();
  ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsItemActive() && (ImGui::IsMouseDragging(0) || ImGui::IsMouseDragging(2))) {
    pan_.x += io.MouseDelta.x;
    pan_.y += io.MouseDelta.y;
  }
  if (hovered && io.MouseWheel != 0) {
    const float old = zoom_;
    zoom_ = std::clamp(zoom_ * std::pow(1.15f, io.MouseWheel), settings_.min_zoom, settings_.max_zoom);
    const ImVec2 m(io.MousePos.x - origin.x, io.MousePos.y - origin.y);
    pan_.x = m.x - (m.x - pan_.x) * zoom_ / old;  // zoom around the mouse
    pan_.y = m.y - (m.y - pan_.y) * zoom_ / old;
  }
  if (ImGui::IsWindowFocused()) {  // keyboard: arrows pan, +/- zoom
    const float step = 40.0f;
    if (ImGui::IsKeyDown(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) pan_.x += step * 0.3f;
    if (ImGui::IsKeyDown(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) pan_.x -= step * 0.3f;
    if (ImGui::IsKeyDown(ImGui::GetKeyIndex(ImGuiKey_UpArrow))) pan_.y += step * 0.3f;
    if (ImGui::IsKeyDown(ImGui::GetKeyIndex(ImGuiKey_DownArrow))) pan_.y -= step * 0.3f;
  }

  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float bw = settings_.box_width * zoom_, bh = settings_.box_height * zoom_;
  const float cx = (settings_.box_width + settings_.column_gap) * zoom_;
  const float cy = (settings_.box_height + settings_.row_gap) * zoom_;
  const ImVec2 clip_a = origin, clip_b(origin.x + size.x, origin.y + size.y);
  auto box_min = [&](int i) {
    return ImVec2(origin.x + pan_.x + slots_[i].x * cx, origin.y + pan_.y + slots_[i].y * cy);
  };
  // Edges first, under the boxes: an elbow from the parent's right side to the child's left.
  const ImU32 edge = style::u32(style::kEdge);
  for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
    const int p = slots_[i].parent;
    if (p < 0) continue;
    const ImVec2 c = box_min(i), pm = box_min(p);
    const float y0 = pm.y + bh * 0.5f, y1 = c.y + bh * 0.5f;
    if (std::max(y0, y1) < clip_a.y || std::min(y0, y1) > clip_b.y || c.x < clip_a.x - cx || c.x > clip_b.x) continue;
    const float xm = pm.x + bw + (c.x - pm.x - bw) * 0.5f;
    dl->AddLine(ImVec2(pm.x + bw, y0), ImVec2(xm, y0), edge);
    dl->AddLine(ImVec2(xm, y0), ImVec2(xm, y1), edge);
    dl->AddLine(ImVec2(xm, y1), ImVec2(c.x, y1), edge);
  }
  ImFont* font = ImGui::GetFont();
  // Zoomed out, the title keeps a legible size (as far as the row pitch allows) and is
  // shortened to its box; the detail line needs the full box.
  const float title_size = std::max(ImGui::GetFontSize() * zoom_, std::min(settings_.min_label_px, cy - 1));
  const float detail_size = ImGui::GetFontSize() * 0.86f * zoom_;
  const bool detail_text = zoom_ >= 0.45f;
  const bool text = title_size >= 6.0f && bw >= 16.0f;
  const float pulse = 0.5f + 0.5f * std::sin(static_cast<float>(app.time) * 8.0f);
  int clicked = -1, toggled = -1, opened = -1;
  probe::forget("rect tree-box ");  // only the boxes this frame draws
  for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
    const ImVec2 a = box_min(i), b(a.x + bw, a.y + bh);
    if (b.x < clip_a.x || a.x > clip_b.x || b.y < clip_a.y || a.y > clip_b.y) continue;
    const view::TreeRow& row = rows[i];
    if (probe::enabled()) {  // where each box in sight is, by its title (a test clicks its handle)
      char at[96];
      std::snprintf(at, sizeof at, "%.0f %.0f %.0f %.0f", a.x, a.y, b.x, b.y);
      probe::value("rect tree-box " + tree_box_title(r, row), at);
    }
    ImVec4 fill = style::kWorker;
    if (row.kind == view::TreeRowKind::Node) fill = ImVec4(0.16f, 0.22f, 0.30f, 1.0f);
    else if (row.kind == view::TreeRowKind::Group) fill = style::mailbox_colour(row.totals.mailbox / std::max<size_t>(row.group_count, 1), app.settings.thresholds);
    else if (row.actor->is_supervisor()) fill = style::kSupervisor;
    else fill = style::mailbox_colour(row.actor->stats.mailbox, app.settings.thresholds);
    const float round = 5.0f * zoom_;
    if (row.kind == view::TreeRowKind::Group) {  // a stack of cards: many of the same
      dl->AddRectFilled(ImVec2(a.x + 6 * zoom_, a.y - 5 * zoom_), ImVec2(b.x + 6 * zoom_, b.y - 5 * zoom_), style::u32(fill, 0.55f), round);
      dl->AddRect(ImVec2(a.x + 6 * zoom_, a.y - 5 * zoom_), ImVec2(b.x + 6 * zoom_, b.y - 5 * zoom_), style::u32(style::kEdge), round);
    }
    dl->AddRectFilled(a, b, style::u32(fill), round);
    const bool selected = row_is(row, app.selected);
    const bool flash = row.kind == view::TreeRowKind::Actor && flashing_.count(key_of(row));
    ImU32 border = style::u32(style::kEdge);
    float thick = 1.0f;
    if (flash) {
      border = style::u32(style::kRestart, 0.4f + 0.6f * pulse);
      thick = 3.0f;
    }
    if (selected) {
      border = style::u32(style::kAccent);
      thick = 2.5f;
    }
    dl->AddRect(a, b, border, round, 0, thick);
    if (row.kind == view::TreeRowKind::Actor && row.actor->is_supervisor())
      dl->AddRectFilled(a, ImVec2(a.x + 4 * zoom_, b.y), style::u32(style::kAccent), round, ImDrawFlags_RoundCornersLeft);
    if (text && !detail_text) {
      // zoomed out: one line, centred in the box's height, cut to the box's width
      const std::string shown = fit_text(tree_box_title(r, row), bw - 8 - 8 * zoom_, title_size);
      dl->AddText(font, title_size, ImVec2(a.x + 4 + 4 * zoom_, a.y + (bh - title_size) * 0.5f), style::u32(style::kText),
                  shown.c_str());
      drawn_text::note(shown.c_str());
    } else if (text) {
      const std::string title = tree_box_title(r, row), detail = tree_box_detail(r, row);
      dl->PushClipRect(a, ImVec2(b.x - 14 * zoom_, b.y), true);
      dl->AddText(font, title_size, ImVec2(a.x + 10 * zoom_, a.y + 5 * zoom_), style::u32(style::kText), title.c_str());
      drawn_text::note(title.c_str());  // drawn into the draw list: ImGui's capture does not see it
      // a supervisor that used (some of) its restart budget says so in colour
      const view::Severity budget = row.kind == view::TreeRowKind::Actor
                                        ? view::restart_budget_severity(*row.actor, app.settings.thresholds)
                                        : view::Severity::normal;
      dl->AddText(font, detail_size, ImVec2(a.x + 10 * zoom_, a.y + 7 * zoom_ + title_size),
                  style::u32(style::severity_colour(budget, style::kTextMuted)), detail.c_str());
      drawn_text::note(detail.c_str());
      dl->PopClipRect();
    }
    // the collapse handle on the right edge
    const ImVec2 hc(b.x, a.y + bh * 0.5f);
    const float hr = 7.0f * zoom_;
    if (row.has_children) {
      dl->AddCircleFilled(hc, hr, style::u32(style::kPanel));
      dl->AddCircle(hc, hr, style::u32(style::kEdge));
      dl->AddLine(ImVec2(hc.x - hr * 0.5f, hc.y), ImVec2(hc.x + hr * 0.5f, hc.y), style::u32(style::kText));
      if (!row.expanded) dl->AddLine(ImVec2(hc.x, hc.y - hr * 0.5f), ImVec2(hc.x, hc.y + hr * 0.5f), style::u32(style::kText));
    }
    if (hovered && ImGui::IsMouseHoveringRect(ImVec2(a.x, a.y), ImVec2(b.x + hr, b.y))) {
      const ImVec2 m = io.MousePos;
      const bool on_handle = row.has_children && (m.x - hc.x) * (m.x - hc.x) + (m.y - hc.y) * (m.y - hc.y) <= hr * hr * 2.5f;
      if (ImGui::IsMouseReleased(0) && io.MouseDragMaxDistanceSqr[0] < 16) {
        if (on_handle || row.kind != view::TreeRowKind::Actor) toggled = i;
        else clicked = i;
      }
      if (ImGui::IsMouseDoubleClicked(0) && row.kind == view::TreeRowKind::Actor && !on_handle) opened = i;
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Right) && row.kind == view::TreeRowKind::Actor) menu_key_ = key_of(row);
      if (row.kind == view::TreeRowKind::Actor) {
        const view::Actor& ac = *row.actor;
        drawn_text::Pause keep;
        ImGui::SetTooltip("%s  (%s)\nmailbox %s   %s   processing %s\nrestarts %s   subtree %s actors",
                          view::display_name(ac).c_str(), ac.row.type.c_str(), view::format_count(ac.stats.mailbox).c_str(),
                          view::format_actor_rate(r, ac.row.node, ac.msgs_per_s()).c_str(), view::busy_cell(r, ac).c_str(),
                          view::format_count(ac.stats.restarts).c_str(), view::format_count(row.totals.actors).c_str());
      }
    }
  }
  // the surface is the item the menu belongs to; the box right-clicked says for whom
  if (menu_key_ && !actor_context_menu(app, *menu_key_) && !ImGui::IsMouseDown(ImGuiMouseButton_Right)) menu_key_.reset();
  if (clicked >= 0) app.select(key_of(rows[clicked]));
  if (opened >= 0) app.open_actor(key_of(rows[opened]));
  if (toggled >= 0) {
    anchor_ = Anchor{static_cast<size_t>(toggled), ImVec2(pan_.x + slots_[toggled].x * cx, pan_.y + slots_[toggled].y * cy)};
    model_.toggle(static_cast<size_t>(toggled));
  }
  if (rows.empty()) {
    const char* msg = app.feed.connected() ? "no actors yet" : "waiting for the collector";
    dl->AddText(ImVec2(origin.x + 20, origin.y + 20), style::u32(style::kTextMuted), msg);
  }
  ImGui::EndChild();
}

void TreePanel::draw_outline(AppState& app) {
  const view::Replica& r = app.replica();
  const auto& rows = model_.rows();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("outline", 6, flags)) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("Supervision tree", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("Strategy / budget", ImGuiTableColumnFlags_WidthFixed, 210);
  ImGui::TableSetupColumn("Mailbox", ImGuiTableColumnFlags_WidthFixed, 90);
  // Messages/s, or reductions/s when every node shown is a BEAM node; "Rate" when both are.
  static constexpr const char* kRateHeader[] = {"Messages/s", "Reductions/s", "Rate"};
  ImGui::TableSetupColumn(kRateHeader[static_cast<int>(view::rate_column(r, app.node))], ImGuiTableColumnFlags_WidthFixed, 100);
  ImGui::TableSetupColumn("Restarts", ImGuiTableColumnFlags_WidthFixed, 80);
  ImGui::TableSetupColumn("Subtree", ImGuiTableColumnFlags_WidthFixed, 80);
  ImGui::TableHeadersRow();
  int toggled = -1;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()));
  if (centre_row_ >= 0) {
    clipper.ForceDisplayRangeByIndices(centre_row_, centre_row_ + 1);
  }
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const view::TreeRow& row = rows[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(i);
      ImGui::Indent(row.depth * ImGui::GetFontSize() * 1.2f + 1);
      const char* arrow = !row.has_children ? "   " : (row.expanded ? "\xE2\x96\xBE " : "\xE2\x96\xB8 ");
      std::string label = std::string(arrow) + tree_box_title(app.replica(), row);
      const bool selected = row_is(row, app.selected);
      const bool flash = row.kind == view::TreeRowKind::Actor && flashing_.count(key_of(row));
      if (flash) ImGui::PushStyleColor(ImGuiCol_Text, style::kRestart);
      if (ImGui::Selectable(label.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
        if (row.kind == view::TreeRowKind::Actor) {
          app.select(key_of(row));
          if (ImGui::IsMouseDoubleClicked(0)) app.open_actor(key_of(row));
          else if (row.has_children && ImGui::GetIO().MousePos.x < ImGui::GetItemRectMin().x + row.depth * ImGui::GetFontSize() * 1.2f + ImGui::GetFontSize() * 2)
            toggled = i;
        } else {
          toggled = i;
        }
      }
      if (flash) ImGui::PopStyleColor();
      if (row.kind == view::TreeRowKind::Actor) actor_context_menu(app, key_of(row));
      if (ImGui::IsItemFocused()) {
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow)) && row.has_children && !row.expanded) toggled = i;
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow)) && row.expanded) toggled = i;
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter)) && row.kind == view::TreeRowKind::Actor)
          app.open_actor(key_of(row));
      }
      if (centre_row_ == i) {
        ImGui::SetScrollHereY(0.5f);
        centre_row_ = -1;
      }
      ImGui::Unindent(row.depth * ImGui::GetFontSize() * 1.2f + 1);
      ImGui::PopID();
      ImGui::TableNextColumn();
      if (row.kind == view::TreeRowKind::Actor && row.actor->is_supervisor()) {
        const view::Actor& a = *row.actor;
        const view::Severity budget = view::restart_budget_severity(a, app.settings.thresholds);
        ImGui::TextColored(style::severity_colour(budget, style::kAccent), "%s  %s", std::string(proto::name(a.row.strategy)).c_str(),
                           view::format_budget(a.stats.restarts_in_period, a.row.intensity, a.row.period_ms).c_str());
      } else if (row.kind == view::TreeRowKind::Actor) {
        ImGui::TextDisabled("%s", row.actor->row.type.c_str());
      }
      ImGui::TableNextColumn();
      const uint64_t mb = row.kind == view::TreeRowKind::Actor && !row.actor->is_supervisor() ? row.actor->stats.mailbox : row.totals.mailbox;
      ImGui::TextColored(style::severity_colour(view::mailbox_severity(mb, app.settings.thresholds)), "%s",
                         view::format_count(mb).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(view::format_actor_rate(r, row.item.node, row.kind == view::TreeRowKind::Actor ? row.actor->msgs_per_s() : row.totals.msgs_per_s()).c_str());
      ImGui::TableNextColumn();
      const uint64_t rs = row.kind == view::TreeRowKind::Actor ? row.actor->stats.restarts : row.totals.restarts;
      ImGui::TextColored(rs ? style::kRestart : style::kText, "%s", view::format_count(rs).c_str());
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", view::format_count(row.totals.actors).c_str());
    }
  }
  ImGui::EndTable();
  if (toggled >= 0) model_.toggle(static_cast<size_t>(toggled));
}

}  // namespace actorscope::gui
