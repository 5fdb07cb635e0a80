// Draws the flow map view-model: boxes per type in layer columns, edges as curves (width on
// a log scale of the rate, colour from the receiver's backlog), hit-tested on the curve and
// its label; the edge list and the selected edge's rate history below.
#include "flow_panel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "charts.hpp"
#include "drawn_text.hpp"
#include "probe.hpp"
#include "style.hpp"
#include "actorscope/view/format.hpp"
#include "imgui.h"

namespace actorscope::gui {
namespace {

using TypeKey = std::pair<view::NodeId, std::string>;

// A list of edges: From and To take what the fixed columns leave. The header row is frozen.
struct EdgeColumn {
  const char* name;
  float width;  // 0: stretches
};
bool begin_edge_table(const char* id, std::initializer_list<EdgeColumn> columns) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable(id, static_cast<int>(columns.size()), flags)) return false;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (const EdgeColumn& c : columns)
    ImGui::TableSetupColumn(c.name, c.width > 0 ? ImGuiTableColumnFlags_WidthFixed : ImGuiTableColumnFlags_WidthStretch, c.width);
  ImGui::TableHeadersRow();
  return true;
}

ImVec2 bezier(const ImVec2& a, const ImVec2& b, const ImVec2& c, const ImVec2& d, float t) {
  const float u = 1 - t, w0 = u * u * u, w1 = 3 * u * u * t, w2 = 3 * u * t * t, w3 = t * t * t;
  return ImVec2(w0 * a.x + w1 * b.x + w2 * c.x + w3 * d.x, w0 * a.y + w1 * b.y + w2 * c.y + w3 * d.y);
}

float distance_to_segment(const ImVec2& p, const ImVec2& a, const ImVec2& b) {
  const float dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
  float t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
  t = std::clamp(t, 0.0f, 1.0f);
  const float x = a.x + t * dx - p.x, y = a.y + t * dy - p.y;
  return std::sqrt(x * x + y * y);
}

std::string rate_axis(double v) { return view::flow_rate_label(v); }

// One edge as placed on the map.
struct PlacedEdge {
  const view::FlowEdgeView* edge = nullptr;
  ImVec2 p[4];            // the curve's control points
  float width = 1;
  ImVec2 label_min, label_max;
  bool labelled = false;
};

}  // namespace

void FlowPanel::draw(AppState& app) {
  const view::Replica& r = app.replica();
  // By type, or by the child subtrees of one supervisor (the selected actor's, on demand).
  bool by_subtree = subtree_.has_value();
  if (ImGui::RadioButton("by actor type", !by_subtree)) subtree_.reset();
  probe::item("flow by type");
  ImGui::SameLine();
  const bool to_subtree = ImGui::RadioButton("by supervisor subtree", by_subtree) && !by_subtree;
  probe::item("flow by subtree");
  if (to_subtree) {
    std::optional<view::ActorKey> root;
    const bool chosen = app.selected && r.actor(*app.selected);
    if (chosen) {
      if (uint64_t s = view::subtree_flow_root(r, app.selected->node, app.selected->actor)) root = view::ActorKey{app.selected->node, s};
      else no_supervisor_ = view::actor_name(r, *app.selected) + " has no supervisor: the map by type and its window show who sends to it.";
    } else {  // nothing selected: the first root supervisor of the nodes shown
      for (const view::Actor& a : r.actors())
        if (a.is_supervisor() && a.row.parent == 0 && (app.node == 0 || a.row.node == app.node))
          if (!root || std::pair(a.row.node, a.row.actor) < std::pair(root->node, root->actor)) root = a.key();
      if (!root) no_supervisor_ = "No supervisor to show: this node reports none.";
    }
    show_subtree(root);
    if (!root) ImGui::OpenPopup("no supervisor");
  }
  if (ImGui::BeginPopup("no supervisor")) {
    ImGui::TextUnformatted(no_supervisor_.c_str());
    ImGui::EndPopup();
  }
  probe::value("flow mode", subtree_ ? "subtree" : "type");
  if (subtree_) {
    draw_subtree(app);
    return;
  }
  const view::FlowMap m = view::flow_map(r, app.node, app.settings.thresholds);
  if (m.edges.empty()) {
    for (const char* line : view::kNoFlow) ImGui::TextDisabled("%s", line);
    return;
  }
  // The selection follows the node filter: an edge of a node not shown is let go.
  if (selected_ && app.node != 0 && std::get<0>(*selected_) != app.node) selected_.reset();
  if (select_busiest_) {
    selected_ = m.edges.front().key;
    select_busiest_ = false;
  }
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", view::flow_summary(m).c_str());
  ImGui::PopTextWrapPos();
  const size_t drawn = std::min(m.edges.size(), settings_.max_drawn_edges);
  std::string legend = "line width: log scale of the rate, 1 px at ~0/s to " +
                       std::to_string(static_cast<int>(settings_.max_edge_px)) + " px at " +
                       view::flow_rate_label(m.edges.front().rate) + " (the busiest)  \xC2\xB7  colour: the receiver's deepest mailbox";
  ImGui::TextDisabled("%s", legend.c_str());
  if (drawn < m.edges.size()) {
    ImGui::SameLine(0, 18);
    const std::string more = "+" + std::to_string(m.edges.size() - drawn) + " smaller edges not drawn (all are in the list)";
    ImGui::TextColored(style::kWarn, "%s", more.c_str());
  }
  draw_map(app, m, std::floor(ImGui::GetContentRegionAvail().y * settings_.map_share));
  const float below = ImGui::GetContentRegionAvail().x;
  if (ImGui::BeginChild("flow list", ImVec2(std::floor(below * 0.52f), 0), false)) draw_list(app, m);
  ImGui::EndChild();
  ImGui::SameLine();
  if (ImGui::BeginChild("flow history", ImVec2(0, 0), false)) draw_history(app, m);
  ImGui::EndChild();
}

void FlowPanel::draw_map(AppState& app, const view::FlowMap& m, float max_height) {
  const float scale = ImGui::GetFontSize() / 15.0f;
  const float bh = settings_.box_height * scale;
  const float pitch = bh + settings_.row_gap * scale;
  const size_t drawn = std::min(m.edges.size(), settings_.max_drawn_edges);
  // The types the drawn edges touch, in the view-model's order (node, layer, name).
  std::set<TypeKey> used;
  for (size_t i = 0; i < drawn; ++i) {
    used.insert({m.edges[i].node, m.edges[i].from});
    used.insert({m.edges[i].node, m.edges[i].to});
  }
  std::vector<const view::FlowTypeView*> types;
  std::vector<view::NodeId> nodes;
  for (const view::FlowTypeView& t : m.types)
    if (used.count({t.node, t.name})) {
      types.push_back(&t);
      if (nodes.empty() || nodes.back() != t.node) nodes.push_back(t.node);
    }
  const bool several_nodes = nodes.size() > 1;
  const float band_label = several_nodes ? ImGui::GetTextLineHeightWithSpacing() + 4 : 0;
  // Columns share the panel's width (the last one needs only its box); boxes narrow down to a
  // minimum, then the map scrolls sideways.
  const float avail_w = ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().WindowPadding.x;
  const float margin = 16 * scale;
  const float gaps = static_cast<float>(std::max(m.layers - 1, 1));
  const float bw = std::clamp((avail_w - 2 * margin) / (gaps + 1) * 0.72f, 110 * scale, settings_.box_width * scale);
  const float colw = std::max(bw + 44 * scale, (avail_w - 2 * margin - bw) / gaps);
  // Rows per node band: its fullest column.
  std::map<view::NodeId, int> band_rows;
  std::map<std::pair<view::NodeId, int>, int> column_count;
  for (const auto* t : types) band_rows[t->node] = std::max(band_rows[t->node], ++column_count[{t->node, t->layer}]);
  std::map<view::NodeId, float> band_top;
  float content_h = 8 * scale;
  for (view::NodeId n : nodes) {
    band_top[n] = content_h;
    content_h += band_label + band_rows[n] * pitch + 22 * scale;  // room below for the arcs of back edges
  }

  // As tall as the map needs, up to its share of the panel (then it scrolls).
  const float content_w = 2 * margin + colw * static_cast<float>(std::max(m.layers - 1, 0)) + bw;
  const float frame = 2 * ImGui::GetStyle().WindowPadding.y + (content_w > avail_w ? ImGui::GetStyle().ScrollbarSize : 0);
  const float height = std::max(std::min(max_height, content_h + frame), std::min(max_height, 120 * scale));
  ImGui::BeginChild("flow map", ImVec2(0, height), true, ImGuiWindowFlags_HorizontalScrollbar);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(content_w, content_h));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const view::Replica& r = app.replica();

  std::map<TypeKey, ImVec2> box_at;  // top-left corner
  std::map<std::pair<view::NodeId, int>, int> row_in_column;
  for (const auto* t : types) {
    const int count = column_count[{t->node, t->layer}];
    const int row = row_in_column[{t->node, t->layer}]++;
    const float centre = (band_rows[t->node] - count) * pitch * 0.5f;  // a short column sits in the middle
    box_at[{t->node, t->name}] = ImVec2(origin.x + margin + t->layer * colw,
                                        origin.y + band_top[t->node] + band_label + centre + row * pitch);
  }

  // Edges: forward ones from a box's right side to the next box's left side; back edges and a
  // type's sends to itself arc below the boxes.
  const double busiest = std::max(m.edges.front().rate, 1.0);
  std::vector<PlacedEdge> placed;
  placed.reserve(drawn);
  for (size_t i = 0; i < drawn; ++i) {
    const view::FlowEdgeView& e = m.edges[i];
    const ImVec2 a = box_at[{e.node, e.from}], b = box_at[{e.node, e.to}];
    PlacedEdge p;
    p.edge = &e;
    if (b.x > a.x) {
      const ImVec2 s(a.x + bw, a.y + bh * 0.5f), t(b.x, b.y + bh * 0.5f);
      const float dx = (t.x - s.x) * 0.5f;
      p.p[0] = s, p.p[1] = ImVec2(s.x + dx, s.y), p.p[2] = ImVec2(t.x - dx, t.y), p.p[3] = t;
    } else {
      const bool self = e.from == e.to;
      const ImVec2 s(a.x + bw * (self ? 0.7f : 0.5f), a.y + bh), t(b.x + bw * (self ? 0.3f : 0.5f), b.y + bh);
      const float drop = (self ? 28.0f : 40.0f) * scale + std::fabs(s.x - t.x) * 0.12f;
      p.p[0] = s, p.p[1] = ImVec2(s.x, s.y + drop), p.p[2] = ImVec2(t.x, t.y + drop), p.p[3] = t;
    }
    p.width = 1.0f + (settings_.max_edge_px - 1.0f) *
                         static_cast<float>(std::log1p(std::max(e.rate, 0.0)) / std::log1p(busiest));
    placed.push_back(p);
  }

  // Hit test: the label first, then the curve (within a few pixels of it).
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool hovering_map = ImGui::IsWindowHovered();
  const ImVec2 label_pad(5 * scale, 2 * scale);
  // Busiest first, each label where its curve is free of the labels already placed (two
  // curves that cross at their middles would otherwise hide one label under the other).
  for (size_t i = 0; i < placed.size() && i < settings_.max_labels; ++i) {
    PlacedEdge& p = placed[i];
    const ImVec2 ts = ImGui::CalcTextSize(view::flow_rate_label(p.edge->rate).c_str());
    for (float t : {0.5f, 0.35f, 0.65f, 0.22f, 0.78f}) {
      const ImVec2 mid = bezier(p.p[0], p.p[1], p.p[2], p.p[3], t);
      p.label_min = ImVec2(mid.x - ts.x * 0.5f - label_pad.x, mid.y - ts.y * 0.5f - label_pad.y);
      p.label_max = ImVec2(mid.x + ts.x * 0.5f + label_pad.x, mid.y + ts.y * 0.5f + label_pad.y);
      bool free = true;
      for (size_t k = 0; k < i && free; ++k)
        free = !(placed[k].label_min.x < p.label_max.x && p.label_min.x < placed[k].label_max.x &&
                 placed[k].label_min.y < p.label_max.y && p.label_min.y < placed[k].label_max.y);
      if (free) break;
    }
    p.labelled = true;
  }
  int hovered = -1;
  if (hovering_map) {
    for (size_t i = 0; i < placed.size() && hovered < 0; ++i)
      if (placed[i].labelled && mouse.x >= placed[i].label_min.x && mouse.x <= placed[i].label_max.x &&
          mouse.y >= placed[i].label_min.y && mouse.y <= placed[i].label_max.y)
        hovered = static_cast<int>(i);
    // else the nearest curve within reach
    float best = -1;
    int nearest = -1;
    for (size_t i = 0; i < placed.size() && hovered < 0; ++i) {
      const PlacedEdge& p = placed[i];
      const float reach = std::max(5.0f * scale, p.width * 0.5f + 3.0f);
      ImVec2 prev = p.p[0];
      for (int k = 1; k <= 24; ++k) {
        const ImVec2 q = bezier(p.p[0], p.p[1], p.p[2], p.p[3], static_cast<float>(k) / 24.0f);
        const float d = distance_to_segment(mouse, prev, q);
        if (d <= reach && (best < 0 || d < best)) {
          best = d;
          nearest = static_cast<int>(i);
        }
        prev = q;
      }
    }
    if (hovered < 0) hovered = nearest;
    if (hovered >= 0 && ImGui::IsMouseClicked(0)) selected_ = placed[static_cast<size_t>(hovered)].edge->key;
  }

  for (size_t i = placed.size(); i-- > 0;) {  // the busiest last, on top
    const PlacedEdge& p = placed[i];
    const bool sel = selected_ && *selected_ == p.edge->key;
    const ImVec4 c = style::severity_colour(p.edge->pressure, style::kAccent);
    if (sel) dl->AddBezierCubic(p.p[0], p.p[1], p.p[2], p.p[3], style::u32(style::kText), p.width + 4.0f);
    dl->AddBezierCubic(p.p[0], p.p[1], p.p[2], p.p[3], style::u32(c, sel || static_cast<int>(i) == hovered ? 1.0f : 0.7f),
                       p.width);
    // an arrowhead where it arrives
    const ImVec2 tip = p.p[3], from = bezier(p.p[0], p.p[1], p.p[2], p.p[3], 0.92f);
    const float dx = tip.x - from.x, dy = tip.y - from.y, len = std::max(std::sqrt(dx * dx + dy * dy), 0.001f);
    const float ux = dx / len, uy = dy / len, head = 6.0f * scale + p.width * 0.6f;
    dl->AddTriangleFilled(tip, ImVec2(tip.x - ux * head - uy * head * 0.5f, tip.y - uy * head + ux * head * 0.5f),
                          ImVec2(tip.x - ux * head + uy * head * 0.5f, tip.y - uy * head - ux * head * 0.5f), style::u32(c));
  }

  // Boxes: the type's name and its deepest mailbox, filled by that backlog.
  ImFont* font = ImGui::GetFont();
  const float small = ImGui::GetFontSize() * 0.86f;
  if (several_nodes)
    for (view::NodeId n : nodes) {
      const pv::NodeRow* row = r.node(n);
      const std::string name = row ? row->name : "?";
      dl->AddText(ImVec2(origin.x + margin, origin.y + band_top[n]), style::u32(style::kTextMuted), name.c_str());
      drawn_text::note(name.c_str());
    }
  for (const auto* t : types) {
    const ImVec2 a = box_at[{t->node, t->name}], b(a.x + bw, a.y + bh);
    // A type leads to its actors: a double-click lists them in Actors, deepest mailbox first.
    // By subtree, a child supervisor leads to its own subtree, a worker to its selection.
    if (subtree_ && ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(a, b)) {
      const bool deeper = t->supervisor && t->actor != 0 && t->actor != subtree_->actor;
      if (deeper)
        ImGui::SetTooltip("%s: double-click to show the flow within its subtree", t->name.c_str());
      else if (t->actor != 0)
        ImGui::SetTooltip("%s: double-click to select it", t->name.c_str());
      if (ImGui::IsMouseDoubleClicked(0) && t->actor != 0) {
        if (deeper)
          show_subtree(view::ActorKey{t->node, t->actor});
        else
          app.select({t->node, t->actor});
      }
    } else if (!subtree_ && ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(a, b)) {
      ImGui::SetTooltip("%s: double-click to list its actors", t->name.c_str());
      if (ImGui::IsMouseDoubleClicked(0) && t->name != view::flow_type_name("")) {
        app.filter = t->name;
        app.switch_to = Panel::Actors;
      }
    }
    dl->AddRectFilled(a, b, style::u32(style::mailbox_colour(t->mailbox_max, app.settings.thresholds)), 5.0f * scale);
    dl->AddRect(a, b, style::u32(style::severity_colour(t->pressure, style::kEdge)), 5.0f * scale, 0,
                t->pressure == view::Severity::normal ? 1.0f : 2.0f);
    const std::string name = fit_text(t->name, bw - 14 * scale);
    dl->AddText(ImVec2(a.x + 8 * scale, a.y + 5 * scale), style::u32(style::kText), name.c_str());
    drawn_text::note(name.c_str());  // drawn into the draw list: ImGui's capture does not see it
    const std::string caption = fit_text(subtree_ ? view::flow_group_caption(*t) : view::flow_type_caption(*t), bw - 14 * scale, small);
    dl->AddText(font, small, ImVec2(a.x + 8 * scale, a.y + 8 * scale + ImGui::GetFontSize()),
                style::u32(style::severity_colour(t->pressure, style::kTextMuted)), caption.c_str());
    drawn_text::note(caption.c_str());
  }

  // Labels on top: "~N/s", marked as estimates.
  probe::forget("rect flow-edge ");
  for (size_t i = 0; i < placed.size(); ++i) {
    const PlacedEdge& p = placed[i];
    if (!p.labelled) continue;
    const bool sel = selected_ && *selected_ == p.edge->key;
    const std::string label = view::flow_rate_label(p.edge->rate);
    dl->AddRectFilled(p.label_min, p.label_max, style::u32(style::kPanel, 0.92f), 4.0f * scale);
    if (sel || static_cast<int>(i) == hovered) dl->AddRect(p.label_min, p.label_max, style::u32(style::kText), 4.0f * scale);
    dl->AddText(ImVec2(p.label_min.x + label_pad.x, p.label_min.y + label_pad.y),
                style::u32(style::severity_colour(p.edge->pressure, style::kText)), label.c_str());
    drawn_text::note(label.c_str());
    if (probe::enabled()) {  // where each label is (a test clicks it)
      char at[96];
      std::snprintf(at, sizeof at, "%.0f %.0f %.0f %.0f", p.label_min.x, p.label_min.y, p.label_max.x, p.label_max.y);
      probe::value("rect flow-edge " + p.edge->from + ">" + p.edge->to, at);
    }
  }
  if (hovered >= 0) {
    const view::FlowEdgeView& e = *placed[static_cast<size_t>(hovered)].edge;
    drawn_text::Pause pause;
    ImGui::BeginTooltip();
    ImGui::Text("%s \xE2\x86\x92 %s", e.from.c_str(), e.to.c_str());
    ImGui::TextDisabled("%s, %s messages since the node connected", view::flow_rate_label(e.rate).c_str(),
                        ("~" + view::format_count(e.messages)).c_str());
    ImGui::TextDisabled("%s's deepest mailbox: %s", e.to.c_str(), view::format_count(e.to_mailbox_max).c_str());
    ImGui::TextDisabled("click: its rate since this viewer connected");
    ImGui::EndTooltip();
  }
  ImGui::EndChild();
}

void FlowPanel::draw_list(AppState& app, const view::FlowMap& m) {
  const view::Replica& r = app.replica();
  const bool node_column = app.node == 0;
  const bool open = node_column ? begin_edge_table("flow edges", {{"Node", 110}, {"From", 0}, {"To", 0}, {"~msg/s", 70},
                                                                 {"~messages", 80}, {"To mailbox", 80}})
                                : begin_edge_table("flow edges", {{"From", 0}, {"To", 0}, {"~msg/s", 70}, {"~messages", 80},
                                                                 {"To mailbox", 80}});
  if (!open) return;
  ImGuiListClipper clip;
  clip.Begin(static_cast<int>(m.edges.size()));
  while (clip.Step())
    for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
      const view::FlowEdgeView& e = m.edges[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(i);
      const bool sel = selected_ && *selected_ == e.key;
      const pv::NodeRow* n = r.node(e.node);
      const std::string first = node_column ? (n ? n->name : "?") : e.from;
      if (ImGui::Selectable(first.c_str(), sel, ImGuiSelectableFlags_SpanAllColumns)) selected_ = e.key;
      if (i == 0) probe::item("flow-row 0");
      ImGui::PopID();
      if (node_column) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(e.from.c_str());
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.to.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(view::flow_rate_label(e.rate).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(("~" + view::format_count(e.messages)).c_str());
      ImGui::TableNextColumn();
      ImGui::TextColored(style::severity_colour(e.pressure), "%s", view::format_count(e.to_mailbox_max).c_str());
    }
  ImGui::EndTable();
}

void FlowPanel::draw_history(AppState& app, const view::FlowMap& m) {
  if (!selected_) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("Click an edge on the map (its curve or its label) or a row of the list: its rate since this "
                        "viewer connected is drawn here.");
    ImGui::PopTextWrapPos();
    probe::value("flow selected", "");
    return;
  }
  const view::FlowEdgeHistory h = view::flow_edge_history(app.flow_history, app.replica(), *selected_);
  probe::value("flow selected", h.title);
  probe::value("flow history points", std::to_string(h.rates.size()));
  view::Severity pressure = view::Severity::normal;
  for (const view::FlowEdgeView& e : m.edges)
    if (e.key == *selected_) pressure = e.pressure;
  ImGui::TextColored(h.gone ? style::kTextMuted : style::kText, "%s", h.title.c_str());
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", h.scope.c_str());
  ImGui::PopTextWrapPos();
  if (!h.known) {
    ImGui::TextDisabled("no point yet: the first comes with the next tick");
    return;
  }
  ImGui::TextDisabled("%s", h.range.c_str());
  // Clock times under the axis, as the overview's charts have: the last point's instant.
  ChartStyle st{style::severity_colour(pressure, style::kAccent), "~msg/s", rate_axis, h.step_s, false,
                h.wall_ns.empty() ? 0 : h.wall_ns.back()};
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  time_chart("flow edge history", h.rates, ImVec2(avail.x, std::max(80.0f, avail.y - 4)), st, -1);
}

void FlowPanel::draw_subtree(AppState& app) {
  const view::Replica& r = app.replica();
  // A supervisor restarted has a new id: the map follows it there, and asks again.
  if (!following_) {
    subtree_child_.reset(r, *subtree_);
    following_ = true;
  } else if (const view::ActorKey now = subtree_child_.update(r); now.actor != 0 && !(now == *subtree_)) {
    subtree_ = now;
    asked_at_ = -1;
  }
  const view::ActorKey sup = *subtree_;
  // Asked again every refresh, and at once when the supervisor changes.
  const double now = ImGui::GetTime();
  if (asked_at_ < 0 || !(asked_for_ == sup) || now - asked_at_ >= settings_.subtree_refresh_s) {
    app.feed.request_subtree_flow(sup, settings_.subtree_children);
    asked_at_ = now;
    asked_for_ = sup;
  }
  const view::SubtreeFlowView v = view::subtree_flow_view(r, sup.node, sup.actor, app.settings.thresholds);
  ImGui::TextUnformatted(v.title.c_str());
  probe::value("flow subtree title", v.title);
  if (v.parent != 0 && r.actor({sup.node, v.parent})) {
    ImGui::SameLine(0, 18);
    if (ImGui::SmallButton("up to its supervisor")) show_subtree(view::ActorKey{sup.node, v.parent});
  }
  if (app.selected && !(*app.selected == sup)) {
    const uint64_t s = view::subtree_flow_root(r, app.selected->node, app.selected->actor);
    if (s != 0 && s != sup.actor) {
      ImGui::SameLine(0, 12);
      if (ImGui::SmallButton("the selected actor's")) show_subtree(view::ActorKey{app.selected->node, s});
    }
  }
  ImGui::PushTextWrapPos(0);
  for (const std::string& note : v.notes) ImGui::TextDisabled("%s", note.c_str());
  ImGui::PopTextWrapPos();
  if (v.state != view::SubtreeFlowView::State::Shown) return;
  if (v.map.edges.empty()) {
    ImGui::TextDisabled("no sampled sends to or from this subtree in the rate window");
    return;
  }
  draw_map(app, v.map, std::floor(ImGui::GetContentRegionAvail().y * settings_.map_share));
  if (ImGui::BeginChild("subtree flow list", ImVec2(0, 0), false)) draw_subtree_list(v.map);
  ImGui::EndChild();
}

void FlowPanel::draw_subtree_list(const view::FlowMap& m) {
  if (!begin_edge_table("subtree edges", {{"From", 0}, {"To", 0}, {"~msg/s", 70}, {"of which others' at most", 170},
                                           {"To mailbox", 80}}))
    return;
  ImGuiListClipper clip;
  clip.Begin(static_cast<int>(m.edges.size()));
  while (clip.Step())
    for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
      const view::FlowEdgeView& e = m.edges[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.from.c_str());
      if (i == 0) probe::value("flow subtree first row", e.from + " -> " + e.to);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.to.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(view::flow_rate_label(e.rate).c_str());
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", e.error > 0 ? view::flow_rate_label(e.error).c_str() : "-");
      ImGui::TableNextColumn();
      ImGui::TextColored(style::severity_colour(e.pressure), "%s", view::format_count(e.to_mailbox_max).c_str());
    }
  ImGui::EndTable();
}

}  // namespace actorscope::gui
